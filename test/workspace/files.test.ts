// File messages in the workspace open and download like Feishu's (issue 13, block 2): the bot
// uploads an export through the Open API and sends it; a member of the chat gets a bubble that is a
// download link with name and size, and the bytes come back intact under their Chinese name.
import { existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { GROUP, OTHER_GROUP, PEOPLE, startFixture, type Fixture } from './fixture.ts';
import { contentDisposition } from '../../src/emulator/workspace/router.ts';

const CHROMIUM = '/usr/bin/chromium';
const NAME = '长沙县2023年“政务公开主题日”活动计划安排表（第1版）.xlsx';
const BYTES = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(3000, 7)]);

/** A plain RGB PNG of the given size (zlib-compressed rows). */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

let fx: Fixture;
let messageId = '';
let fileKey = '';
const api = (path: string): Promise<Response> => fetch(`${fx.url}/_emulator/api/workspace${path}`);

beforeAll(async () => {
  fx = await startFixture();
  const up = await fx.client.im.v1.file.create({ data: { file_type: 'xls', file_name: NAME, file: BYTES } });
  fileKey = up!.file_key!;
  const sent = await fx.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'file', content: JSON.stringify({ file_key: fileKey }) } });
  messageId = sent.data!.message_id!;
});
afterAll(async () => {
  await fx?.close();
});

describe('file messages in the workspace', () => {
  it('lists the file with its size and serves the message resource to members of the chat only', async () => {
    const list = (await (await api(`/chats/${GROUP}/messages?as=${PEOPLE.xs.openId}`)).json()) as { messages: { messageId: string; fileName?: string; fileSize?: number }[] };
    expect(list.messages.find((m) => m.messageId === messageId)).toMatchObject({ fileName: NAME, fileSize: BYTES.length });

    const res = await api(`/messages/${messageId}/resources/${fileKey}?as=${PEOPLE.xs.openId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(contentDisposition('attachment', NAME));
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(NAME).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(BYTES)).toBe(true);

    // Someone outside the chat (the office's internal group has only the coordinator): refused.
    const inner = await fx.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: OTHER_GROUP, msg_type: 'file', content: JSON.stringify({ file_key: fileKey }) } });
    const innerId = inner.data!.message_id!;
    expect((await api(`/messages/${innerId}/resources/${fileKey}?as=${PEOPLE.coord.openId}`)).status).toBe(200);
    expect((await api(`/messages/${innerId}/resources/${fileKey}?as=${PEOPLE.xs.openId}`)).status).toBe(403);
    // A key that is not this message's, no person: refused.
    expect((await api(`/messages/${messageId}/resources/file_v3_other?as=${PEOPLE.xs.openId}`)).status).toBe(404);
    expect((await api(`/messages/${messageId}/resources/${fileKey}`)).status).toBe(404);
  });

  describe.skipIf(!existsSync(CHROMIUM))('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('the bubble is a download link: clicking it downloads the file under its name', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(fx.url + '/');
      await page.locator(`.persona-option[data-open-id="${PEOPLE.xs.openId}"]`).click();
      await page.locator(`.chat-item[data-chat-id="${GROUP}"]`).click();
      const bubble = page.locator(`[data-message-id="${messageId}"] a.bubble-file`);
      await bubble.waitFor();
      expect(await bubble.textContent()).toContain(NAME);
      expect(await bubble.textContent()).toContain('3 KB · 下载');
      const [download] = await Promise.all([page.waitForEvent('download'), bubble.click()]);
      expect(download.suggestedFilename()).toBe(NAME);
      const path = await download.path();
      const { readFile } = await import('node:fs/promises');
      expect((await readFile(path)).equals(BYTES)).toBe(true);
      await context.close();
    });

    it('a photo bubble hugs a wide photo (no empty band in the frame)', async () => {
      const { messageId: photoId } = await fx.emulator.userSendImage(PEOPLE.coord.openId, GROUP, png(1600, 200), '现场.png');
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto(fx.url + '/');
      await page.locator(`.persona-option[data-open-id="${PEOPLE.xs.openId}"]`).click();
      await page.locator(`.chat-item[data-chat-id="${GROUP}"]`).click();
      const frame = page.locator(`[data-message-id="${photoId}"] .msg-image`);
      await expect.poll(() => frame.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1600);
      const outer = (await frame.boundingBox())!;
      const inner = (await frame.locator('img').boundingBox())!;
      expect(outer.width - inner.width).toBeLessThanOrEqual(2);
      expect(outer.height - inner.height).toBeLessThanOrEqual(2);
      // The picture fills its box: the box has the photo's proportions (240 × 30), not a 64 px floor.
      expect(Math.abs(inner.height - (inner.width * 200) / 1600)).toBeLessThanOrEqual(1);
      await context.close();
    });
  });
});
