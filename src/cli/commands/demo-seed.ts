// `npm run cli -- demo seed [--stage submitted|scheduled|evaluated]`: fills the database named by
// DATABASE_URL with the demo county's 2023 campaign. Later stages come from the review/schedule
// and evaluation features (imported on demand). Idempotent.
import { defineCliCommand, type CliIo } from '../io.ts';
import { loadConfig, loadDotEnv } from '../../config.ts';
import type { AppServices } from '../../app/bot.ts';
import { createLogger } from '../../app/log.ts';
import { LocalFileStorage } from '../../adapters/files/storage.ts';
import { FeishuApiError, type FeishuGateway } from '../../ports/feishu.ts';
import { seedDemoCampaign } from '../../usecases/demo/seed-campaign.ts';
import { filePorts } from '../../app/file-ports.ts';

const STAGES = ['submitted', 'scheduled', 'evaluated'] as const;
type Stage = (typeof STAGES)[number];

function offline(): never {
  throw new FeishuApiError('命令行模式不连接飞书 / the CLI does not call Feishu', 'permanent', undefined, undefined);
}

/** The CLI talks to no Feishu: every call fails permanently (seeds treat uploads as best effort). */
export const offlineGateway: FeishuGateway = {
  sendMessage: async () => offline(),
  replyMessage: async () => offline(),
  patchCard: async () => offline(),
  urgentApp: async () => offline(),
  delayedCardUpdate: async () => offline(),
  uploadFile: async () => offline(),
  uploadImage: async () => offline(),
  downloadMessageResource: async () => offline(),
  getChat: async () => offline(),
  listChatMembers: async () => offline(),
  listChatMessages: async () => offline(),
  botInfo: async () => offline(),
  createCalendar: async () => offline(),
  createCalendarEvent: async () => offline(),
  updateCalendarEvent: async () => offline(),
  deleteCalendarEvent: async () => offline(),
  tokenHealthy: async () => false,
};

async function cliServices(io: CliIo): Promise<AppServices> {
  loadDotEnv();
  const config = loadConfig();
  const db = (await io.openDb()).client;
  return { config, db, clock: { now: () => io.now() }, gateway: offlineGateway, storage: new LocalFileStorage(config.storageDir), ...filePorts(config), log: createLogger('warn'), kickOutbox: () => undefined };
}

type StageModule = Record<string, unknown>;

async function runStage(io: CliIo, file: string, fn: string): Promise<number> {
  let mod: StageModule;
  try {
    mod = (await import(file)) as StageModule;
  } catch (error) {
    io.stderr(`此阶段的演示数据尚未实现（缺少 ${file}）/ stage seed missing: ${(error as Error).message}`);
    return 1;
  }
  const run = mod[fn];
  if (typeof run !== 'function') {
    io.stderr(`此阶段的演示数据尚未实现（${file} 没有导出 ${fn}）/ ${fn} not exported`);
    return 1;
  }
  const result: unknown = await (run as (s: AppServices) => Promise<unknown>)(await cliServices(io));
  io.stdout(`${fn}: ${JSON.stringify(result)}`);
  return 0;
}

export const demoSeed = defineCliCommand({
  usage: 'demo seed [--stage submitted|scheduled|evaluated]',
  summary: '写入演示数据：示范县 2023 年申报（按时、逾期、撤回、修改、未报），可选 --stage scheduled|evaluated 继续生成审核排期、评选数据',
  flags: { stage: { type: 'string' } },
  parse(values): Stage {
    if (values.stage === undefined) return 'submitted';
    if (!(STAGES as readonly string[]).includes(values.stage)) throw new Error(`--stage 应为 ${STAGES.join('、')} 之一`);
    return values.stage as Stage;
  },
  async run(stage, io) {
    const db = await io.openDb();
    const r = await seedDemoCampaign(db.client, { now: io.now() });
    io.stdout(
      r.skipped
        ? `2023 年演示申报已存在，未重复写入：${r.units} 个单位，已提交 ${r.submitted}（逾期 ${r.late}），撤回 ${r.withdrawn}，未提交 ${r.pending}，主题 ${r.themes} 个。`
        : `已写入 2023 年演示申报：${r.units} 个单位，已提交 ${r.submitted}（逾期 ${r.late}，修改过 ${r.edited}），撤回 ${r.withdrawn}，未提交 ${r.pending}，主题 ${r.themes} 个。`,
    );
    if (stage === 'scheduled' || stage === 'evaluated') {
      const code = await runStage(io, '../../usecases/demo/seed-scheduled.ts', 'seedScheduledStage');
      if (code !== 0) return code;
    }
    if (stage === 'evaluated') return runStage(io, '../../usecases/demo/seed-evaluated.ts', 'seedEvaluatedStage');
    return 0;
  },
});
