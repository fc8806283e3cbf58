// `npm run cli -- doctor [--url https://你的域名]`: checks the configured Feishu app against the real
// tenant (token, bot, bound groups, scopes, event mode) and prints one line per check.
import { loadConfig } from '../../config.ts';
import { formatCheck, runDoctor, type DoctorChat } from '../../adapters/feishu/doctor.ts';
import { verifyUrlChallenge } from '../../emulator/index.ts';
import { defineCliCommand } from '../io.ts';

export const doctor = defineCliCommand({
  usage: 'doctor [--url https://你的域名]',
  summary: '体检飞书应用：凭证、机器人、各工作群、所需权限、事件订阅方式（webhook 模式加 --url 校验公网地址）',
  flags: { url: { type: 'string' } },
  parse(values) {
    if (values.url !== undefined && !/^https?:\/\/[^\s/]+/.test(values.url)) throw new Error('--url 应为 http(s) 地址，如 https://bot.example.gov.cn');
    return { publicUrl: values.url };
  },
  async run({ publicUrl }, io) {
    const config = io.config ? io.config() : loadConfig();
    if (config.local) {
      io.stderr('未设置 FEISHU_APP_ID / FEISHU_APP_SECRET：当前是本地模式，没有可检查的飞书应用。请在 .env 中填入应用凭证后再运行 doctor。');
      return 2;
    }
    const db = await io.openDb();
    const rows = await db.client.groupChat.findMany({ where: { status: { in: ['bound', 'coordinator'] } }, include: { unit: { select: { name: true } } }, orderBy: { name: 'asc' } });
    const chats: DoctorChat[] = rows.map((r) => ({ chatId: r.chatId, name: r.name, ...(r.unit ? { unitName: r.unit.name } : r.status === 'coordinator' ? { unitName: '协调群' } : {}) }));
    io.stdout(`飞书应用体检：${config.feishu.appId}（${config.feishu.domain}，事件订阅方式 ${config.feishu.eventMode === 'ws' ? '长连接' : 'webhook'}）`);
    const checks = await runDoctor({
      config,
      chats,
      ...(publicUrl ? { publicUrl } : {}),
      challenge: async (url) => {
        const r = await verifyUrlChallenge(url, {
          path: '',
          ...(config.feishu.encryptKey ? { encryptKey: config.feishu.encryptKey } : {}),
          ...(config.feishu.verificationToken ? { verificationToken: config.feishu.verificationToken } : {}),
        });
        return { ok: r.ok, detail: r.ok ? `${r.ms} ms` : (r.error ?? `HTTP ${r.httpStatus ?? '?'} ${r.body?.slice(0, 120) ?? ''}`) };
      },
    });
    for (const c of checks) io.stdout(formatCheck(c));
    const failed = checks.filter((c) => c.status === 'fail').length;
    const warned = checks.filter((c) => c.status === 'warn').length;
    io.stdout(failed === 0 ? `全部通过${warned ? `（${warned} 项提醒）` : ''}。` : `${failed} 项未通过，按上面的“修复”操作后重新运行 npm run cli -- doctor。`);
    return failed === 0 ? 0 : 1;
  },
});
