// Standalone emulator: `npm run emulator -- --port 9090 --bot-url http://127.0.0.1:3000 [--demo]`.
import { parseArgs } from 'node:util';
import { createEmulator } from './index.ts';
import type { SeedInput } from './types.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    host: { type: 'string', default: '127.0.0.1' },
    'bot-url': { type: 'string' },
    'app-id': { type: 'string', default: 'cli_emulator000000' },
    'app-secret': { type: 'string', default: 'emulator-secret' },
    'encrypt-key': { type: 'string' },
    'verification-token': { type: 'string', default: 'emulator-verification-token' },
    demo: { type: 'boolean', default: false },
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

const emu = createEmulator({
  appId: values['app-id'],
  appSecret: values['app-secret'],
  verificationToken: values['verification-token'],
  ...(values['encrypt-key'] ? { encryptKey: values['encrypt-key'] } : {}),
  ...(values['bot-url'] ? { botUrl: values['bot-url'] } : {}),
});
if (values.demo) emu.seed(DEMO_SEED);
const server = await emu.listen(port, values.host);
console.log(`飞书模拟器已启动 (Feishu emulator listening): ${server.url}`);
console.log(`  app_id=${values['app-id']} app_secret=${values['app-secret']}${values['bot-url'] ? `  bot=${values['bot-url']}` : '  (未配置 --bot-url，事件不会推送)'}`);

const shutdown = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
