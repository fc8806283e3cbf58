// Local mode after a restart (`npm start` again): the emulated Feishu keeps its chats, messages and
// uploaded images, as Feishu does. Before, the chats came back empty over a database that remembered
// the campaign, and a card showing a photo sent before the restart failed to open (200673: the photo's
// image key was unknown).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, type App } from '../../src/app/create-app.ts';
import { createLogger } from '../../src/app/log.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { tinyJpeg } from '../../src/adapters/files/sample-jpeg.ts';
import { DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import type { UploadedFile } from '../../src/emulator/types.ts';
import { createEmptyDatabase, type TestDatabaseUrl } from '../support/db.ts';
import { waitUntil } from '../support/kit.ts';
import { buttonValue } from '../submissions/support.ts';
import { seedScheduled2023 } from '../summaries/support.ts';

describe('local mode: a restart keeps the emulated Feishu (sqlite)', () => {
  let database: TestDatabaseUrl;
  let dir: string;
  let config: Config;
  const clock = new FakeClock('2023-11-20T02:00:00Z');
  const apps: App[] = [];
  const unit = DEMO_UNITS[0]!;
  const liaison = unit.liaisons.find((l) => l.openId)!.openId!;
  /** the images uploaded in the first test (the photo among them) */
  let images: UploadedFile[] = [];

  const start = async (keepEmulatorState = true): Promise<App> => {
    const app = await createApp({ config, clock, logger: createLogger('silent'), seedDemo: true, keepEmulatorState, outbox: { pollMs: 0 }, cron: false });
    apps.push(app);
    return app;
  };
  const settle = async (app: App) => {
    await app.inbox.idle({ skipBackoff: true });
    await app.worker.drain();
  };

  beforeAll(async () => {
    database = await createEmptyDatabase('sqlite');
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-restart-'));
    config = { ...loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, STORAGE_DIR: path.join(dir, 'files'), LOG_LEVEL: 'silent', LOCAL_DEMO: 'true', EVIDENCE_CHECK_LINKS: 'false' }), port: 0, host: '127.0.0.1' };
  });
  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chats, messages and images come back; a card showing a photo sent before the restart opens', async () => {
    const first = await start();
    expect(first.emulator!.restored).toBe(false);
    await seedScheduled2023(first.db, 1);
    const photo = tinyJpeg({ dateTimeOriginal: '2023:05:10 09:30:00', description: 'before the restart' });
    const { messageId: photoMessageId } = await first.emulator!.userSendImage(liaison, unit.chatId, photo, 'photo.jpg');
    await waitUntil(async () => (await first.db.outboxMessage.count({ where: { payload: { contains: photoMessageId } } })) > 0);
    await settle(first);
    const receipt = first.emulator!.messages(unit.chatId).find((m) => m.senderType === 'app' && m.parentId === photoMessageId && m.card)!;
    expect(JSON.stringify(receipt.card)).toContain('已收到 1 张照片');
    // The bot also sent the bot-chat / office messages of the demo seed; all of it must come back.
    const before = first.emulator!.chats().map((c) => ({ chatId: c.chatId, messages: first.emulator!.messages(c.chatId).map((m) => [m.messageId, m.content, m.createdAt.toISOString()]) }));
    images = first.emulator!.uploadedFiles().filter((f) => f.kind === 'image');
    expect(images.length).toBeGreaterThan(0);
    // The bot leaves one group in the workspace: it stays left (the demo seed does not put it back).
    const left = DEMO_UNITS[1]!.chatId;
    first.emulator!.removeBotFromChat(left, DEMO_UNITS[1]!.liaisons.find((l) => l.openId)!.openId!);
    await settle(first);
    // The liaison opens the group in the workspace: its messages are read.
    const opened = await fetch(`${first.url}/_emulator/api/workspace/chats/${unit.chatId}/messages?as=${liaison}`);
    expect(opened.status).toBe(200);
    const readBefore = structuredClone(first.emulator!.readCounts);
    expect(readBefore.get(liaison)?.get(unit.chatId)).toBe(first.emulator!.messages(unit.chatId).length);
    // Saved a moment later by itself, as any change is (not only at a clean stop).
    const stateFile = path.join(config.storageDir, 'emulator', 'state.json');
    await waitUntil(async () => {
      // Not there until the first save (a moment after the first change); replaced whole by a rename.
      if (!existsSync(stateFile)) return false;
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { readCounts: [string, [string, number][]][] };
      return new Map(saved.readCounts.find(([openId]) => openId === liaison)?.[1]).get(unit.chatId) === readBefore.get(liaison)?.get(unit.chatId);
    });
    await first.stop();

    const second = await start();
    const emu = second.emulator!;
    expect(emu.restored).toBe(true);
    const after = emu.chats().map((c) => ({ chatId: c.chatId, messages: emu.messages(c.chatId).map((m) => [m.messageId, m.content, m.createdAt.toISOString()]) }));
    for (const chat of before) {
      const now = after.find((c) => c.chatId === chat.chatId);
      // Every message of every chat, in order (the restart's own may follow).
      expect(now?.messages.slice(0, chat.messages.length)).toEqual(chat.messages);
    }
    for (const image of images)
      expect(
        emu
          .uploadedFiles()
          .find((f) => f.key === image.key)
          ?.bytes.equals(image.bytes),
      ).toBe(true);
    expect(emu.chats().find((c) => c.chatId === left)?.botMember).toBe(false);
    // What a person had read stays read: the workspace shows no old message as new.
    expect(emu.readCounts).toEqual(readBefore);

    // The receipt's 查看照片 button, pressed after the restart, shows the photo list with the photo.
    const clicked = await emu.userClickCard(liaison, receipt.messageId, { value: buttonValue(receipt.card, { text: '查看照片 / 标记 LOGO 照片' }) });
    expect(clicked.error).toBeUndefined();
    await settle(second);
    const list = JSON.stringify(emu.message(receipt.messageId)!.card);
    const shown = [...list.matchAll(/"img_key":"([^"]+)"/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(0);
    for (const key of shown) expect(emu.uploadedFiles().some((f) => f.key === key)).toBe(true);

    // A message after the restart lands after the old ones.
    const { messageId } = await emu.userSendText(liaison, unit.chatId, '帮助', { mentionBot: true });
    await settle(second);
    expect(
      emu
        .messages(unit.chatId)
        .map((m) => m.messageId)
        .indexOf(messageId),
    ).toBe(before.find((c) => c.chatId === unit.chatId)!.messages.length);
    await second.stop();
  }, 60_000);

  it('an unreadable saved state is kept aside and the app starts with empty chats, not at all', async () => {
    const stateDir = path.join(config.storageDir, 'emulator');
    writeFileSync(path.join(stateDir, 'state.json'), '{"version":1,"users":[');
    const errors: string[] = [];
    const logger = createLogger('silent');
    logger.error = (message: string) => void errors.push(message);
    const app = await createApp({ config, clock, logger, seedDemo: true, keepEmulatorState: true, outbox: { pollMs: 0 }, cron: false });
    apps.push(app);
    expect(app.emulator!.restored).toBe(false);
    expect(errors).toEqual(['local Feishu state unreadable: kept aside, started empty']);
    // Uploaded images and files are kept apart from the state: the photo the database names still shows.
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(app.emulator!.uploadedFiles().find((f) => f.key === image.key)).toEqual(image);
    expect(readdirSync(stateDir).filter((f) => f.startsWith('state.json.unreadable-'))).toHaveLength(1);
    // The demo county's groups are there, empty, and the bot answers in them.
    expect(app.emulator!.messages(unit.chatId)).toEqual([]);
    await app.emulator!.userSendText(liaison, unit.chatId, '帮助', { mentionBot: true });
    await settle(app);
    expect(app.emulator!.messages(unit.chatId).some((m) => m.senderType === 'app')).toBe(true);
    await app.stop();
    // Its own state is saved afresh.
    expect(existsSync(path.join(stateDir, 'state.json'))).toBe(true);
  }, 60_000);
});
