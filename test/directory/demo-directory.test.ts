import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICE, DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import { OPEN_ID_RE, formatDirectoryError, parseDirectory, type DirectoryColumn } from '../../src/domain/directory.ts';
import { isValidPhone } from '../../src/domain/phone.ts';
import { seedDemoDirectory } from '../../src/usecases/seed-demo-directory.ts';
import { PROVIDERS_UNDER_TEST, createTestDatabase, type TestDatabase } from '../support/db.ts';

const NOW = new Date('2024-03-20T02:00:00Z');

describe('the demo directory data', () => {
  it('has 长沙县’s 5 streets, 13 towns and about 20 departments, each valid as an imported file would be', () => {
    const count = (kind: string) => DEMO_UNITS.filter((u) => u.kind === kind).length;
    expect([count('street'), count('town')]).toEqual([5, 13]);
    expect(count('department')).toBeGreaterThanOrEqual(18);
    for (const name of ['星沙街道', '湘龙街道', '泉塘街道', '松雅湖街道', '榔梨街道', '黄兴镇', '开慧镇', '县发展和改革局', '县行政审批服务局', '县医疗保障局']) {
      expect(DEMO_UNITS.map((u) => u.name)).toContain(name);
    }
    // Round-trip through the same validation a spreadsheet goes through.
    const rows = DEMO_UNITS.flatMap((u) =>
      u.liaisons.map((l) => ({
        单位名称: u.name,
        单位类型: { town: '镇', street: '街道', department: '县直部门' }[u.kind],
        排序: String(u.sortOrder),
        联系人: l.name,
        联系电话: l.phone,
        飞书open_id: l.openId ?? '',
        角色: l.role === 'primary' ? '主联系人' : '备用联系人',
        分管领导: u.leaderName ?? '',
        分管领导open_id: u.leaderOpenId ?? '',
      })),
    );
    const parsed = parseDirectory({
      headerLine: 1,
      columns: Object.keys(rows[0]!) as DirectoryColumn[],
      rows: rows.map((cells, i) => ({ line: i + 2, cells })),
    });
    expect(parsed.ok ? [] : parsed.errors.map(formatDirectoryError)).toEqual([]);
    const ids = DEMO_UNITS.flatMap((u) => [...u.liaisons.map((l) => l.openId), u.leaderOpenId, u.chatId]).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    for (const u of DEMO_UNITS) {
      expect(u.chatId).toMatch(/^oc_demo_[a-z]+$/);
      for (const l of u.liaisons) {
        expect(l.openId).toMatch(OPEN_ID_RE);
        expect(l.openId).toMatch(/^ou_demo_/);
        expect(isValidPhone(l.phone)).toBe(true);
        expect(l.phone).toMatch(/^0731-8487\d{4}$/);
      }
    }
    expect(DEMO_UNITS.some((u) => u.liaisons.length === 2)).toBe(true);
    expect(DEMO_UNITS.some((u) => u.leaderName)).toBe(true);
    expect(DEMO_OFFICE).toMatchObject({ name: '县政务公开办', chatId: 'oc_demo_office', coordinator: { name: '李成英', phone: '0731-84872387', email: 'CSX84872387@163.com' } });
  });
});

describe.each(PROVIDERS_UNDER_TEST)('seeding the demo directory on %s', (provider) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function state() {
    const units = await db.client.unit.findMany({ include: { liaisons: { orderBy: { openId: 'asc' } }, chats: true }, orderBy: { sortOrder: 'asc' } });
    return {
      units: units.map(({ createdAt: _c, updatedAt: _u, liaisons, chats, ...u }) => ({
        ...u,
        liaisons: liaisons.map(({ createdAt: _lc, updatedAt: _lu, ...l }) => l),
        chats: chats.map(({ updatedAt: _cu, ...c }) => c),
      })),
      coordinators: await db.client.coordinator.findMany(),
      chats: await db.client.groupChat.findMany({ orderBy: { chatId: 'asc' } }),
    };
  }

  it('inserts units of all three kinds, liaisons, the coordinator and bound chats, idempotently', async () => {
    const first = await seedDemoDirectory(db.client, { actorOpenId: 'cli', now: NOW });
    const liaisons = DEMO_UNITS.reduce((n, u) => n + u.liaisons.length, 0);
    expect(first).toEqual({
      units: { created: DEMO_UNITS.length, updated: 0, unchanged: 0 },
      liaisons: { created: liaisons, updated: 0, unchanged: 0 },
      chats: { created: DEMO_UNITS.length + 1, updated: 0, unchanged: 0 },
      coordinatorCreated: true,
    });
    const after = await state();
    expect(new Set(after.units.map((u) => u.kind))).toEqual(new Set(['town', 'street', 'department']));
    const xingsha = after.units.find((u) => u.name === '星沙街道')!;
    expect(xingsha).toMatchObject({ kind: 'street', chatId: 'oc_demo_xingsha', leaderOpenId: 'ou_demo_xingsha_leader' });
    expect(xingsha.chats).toEqual([expect.objectContaining({ chatId: 'oc_demo_xingsha', status: 'bound', unitId: xingsha.id })]);
    expect(xingsha.liaisons.map((l) => [l.openId, l.role])).toEqual([
      ['ou_demo_xingsha_1', 'primary'],
      ['ou_demo_xingsha_2', 'backup'],
    ]);
    expect(after.coordinators).toEqual([expect.objectContaining({ openId: 'ou_demo_coordinator', name: '李成英' })]);
    expect(after.chats.find((c) => c.chatId === 'oc_demo_office')).toMatchObject({ status: 'coordinator', unitId: null });
    expect(await db.client.auditLog.count({ where: { action: 'directory.seed_demo' } })).toBe(1);

    const second = await seedDemoDirectory(db.client, { actorOpenId: 'cli', now: new Date(NOW.getTime() + 60_000) });
    expect(second).toEqual({
      units: { created: 0, updated: 0, unchanged: DEMO_UNITS.length },
      liaisons: { created: 0, updated: 0, unchanged: liaisons },
      chats: { created: 0, updated: 0, unchanged: DEMO_UNITS.length + 1 },
      coordinatorCreated: false,
    });
    expect(await state()).toEqual(after);
    expect(await db.client.auditLog.count({ where: { action: 'directory.seed_demo' } })).toBe(1);
  });
});
