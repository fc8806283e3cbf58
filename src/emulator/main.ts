// Standalone emulator: `npm run emulator -- --port 9090 --bot-url http://127.0.0.1:3000 [--demo]`, or with
// `--event-mode ws` for an app started with FEISHU_EVENT_MODE=ws FEISHU_DOMAIN=http://127.0.0.1:9090 (long connection).
import { parseArgs } from 'node:util';
import { createEmulator } from './index.ts';
import type { SeedInput } from './types.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    host: { type: 'string', default: '127.0.0.1' },
    'bot-url': { type: 'string' },
    // The SDK's WSClient only starts for ids shaped like Feishu's: cli_ + 16 hex digits.
    'app-id': { type: 'string', default: 'cli_e0e1a2b3c4d5f607' },
    'app-secret': { type: 'string', default: 'emulator-secret' },
    'encrypt-key': { type: 'string' },
    'verification-token': { type: 'string', default: 'emulator-verification-token' },
    demo: { type: 'boolean', default: false },
    'event-mode': { type: 'string', default: 'webhook' },
  },
});

export const DEMO_SEED: SeedInput = {
  users: [
    { openId: 'ou_demo_coordinator0000000000000', name: '李协调', title: '县政务公开办 · 协调人' },
    { openId: 'ou_demo_xingsha00000000000000000', name: '王星沙', title: '星沙街道 · 联系人' },
    { openId: 'ou_demo_education000000000000000', name: '赵教育', title: '县教育局 · 联系人' },
    { openId: 'ou_demo_health00000000000000000', name: '陈卫健', title: '县卫健局 · 联系人' },
  ],
  chats: [
    {
      chatId: 'oc_demo_campaign000000000000000',
      name: '政务公开主题日工作群',
      memberOpenIds: ['ou_demo_coordinator0000000000000', 'ou_demo_xingsha00000000000000000', 'ou_demo_education000000000000000', 'ou_demo_health00000000000000000'],
      botMember: true,
    },
  ],
};

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`端口不对：${values.port} (invalid --port)`);
  process.exit(2);
}

const eventMode = values['event-mode'];
if (eventMode !== 'webhook' && eventMode !== 'ws') {
  console.error(`--event-mode 应为 webhook 或 ws：${eventMode} (invalid --event-mode)`);
  process.exit(2);
}

const emu = createEmulator({
  eventMode,
  appId: values['app-id'],
  appSecret: values['app-secret'],
  verificationToken: values['verification-token'],
  ...(values['encrypt-key'] ? { encryptKey: values['encrypt-key'] } : {}),
  ...(values['bot-url'] ? { botUrl: values['bot-url'] } : {}),
});
if (values.demo) emu.seed(DEMO_SEED);
const server = await emu.listen(port, values.host);
console.log(`飞书模拟器已启动 (Feishu emulator listening): ${server.url}`);
console.log(
  eventMode === 'ws'
    ? `  app_id=${values['app-id']} app_secret=${values['app-secret']}  事件经长连接推送 (long connection: ${server.url}/callback/ws/endpoint)`
    : `  app_id=${values['app-id']} app_secret=${values['app-secret']}${values['bot-url'] ? `  bot=${values['bot-url']}` : '  (未配置 --bot-url，事件不会推送)'}`,
);

const shutdown = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
