import { LIAISON_ROLE_LABELS, UNIT_KIND_LABELS, type LiaisonRole, type UnitKind } from '../../domain/directory.ts';
import { maskPhone } from '../../domain/phone.ts';
import { defineCliCommand } from '../io.ts';

const KIND_ORDER: UnitKind[] = ['street', 'town', 'department'];

export const unitsList = defineCliCommand({
  usage: 'units list [--phones]',
  summary: '列出单位名录（按类型分组；电话默认打码，--phones 显示完整号码）',
  flags: { phones: { type: 'boolean' } },
  parse(values) {
    return values.phones === true;
  },
  async run(showPhones, io) {
    const db = await io.openDb();
    const units = await db.client.unit.findMany({
      where: { active: true },
      include: { liaisons: true },
      orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }],
    });
    if (units.length === 0) {
      io.stdout('名录为空。用 npm run cli -- units import 文件.xlsx 导入单位名录。');
      return 0;
    }
    const out: string[] = [`共 ${units.length} 个单位`];
    const kinds = [...KIND_ORDER, ...new Set(units.map((u) => u.kind).filter((k) => !KIND_ORDER.includes(k as UnitKind)))];
    for (const kind of kinds) {
      const group = units.filter((u) => u.kind === kind);
      if (group.length === 0) continue;
      out.push('', `【${UNIT_KIND_LABELS[kind as UnitKind] ?? kind}】${group.length} 个`);
      group.forEach((unit, i) => {
        const liaisons = [...unit.liaisons]
          .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name, 'zh') : a.role === 'primary' ? -1 : 1))
          .map((l) => {
            const phone = l.phone ? ` ${showPhones ? l.phone : maskPhone(l.phone)}` : '';
            const bound = l.openId ? '' : '（未关联飞书）';
            return `${LIAISON_ROLE_LABELS[l.role as LiaisonRole] ?? l.role} ${l.name}${phone}${bound}`;
          });
        const parts = [liaisons.length > 0 ? liaisons.join('；') : '（无联系人）'];
        if (unit.leaderName) parts.push(`分管领导 ${unit.leaderName}`);
        parts.push(unit.chatId ? '已绑定工作群' : '未绑定工作群');
        out.push(`${String(i + 1).padStart(3)}. ${unit.name}  ${parts.join('；')}`);
      });
    }
    io.stdout(out.join('\n'));
    return 0;
  },
});
