// Photos sent to the bot: recognised by their bytes (not their name or declared type), refused
// over the size limit while downloading (never held in memory whole), stored under a name made
// from their hash (never from what the sender called the file).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toBuffer } from '../../src/adapters/feishu/gateway.ts';
import { ResourceTooLargeError } from '../../src/ports/feishu.ts';
import { checkPhoto, mayBePhotoFile, photoTooLarge, sniffImageType } from '../../src/domain/evidence.ts';
import { photoOf } from '../../src/usecases/summaries/photos.ts';
import { tinyJpeg } from '../../src/adapters/files/sample-jpeg.ts';
import { safeRelativePath } from '../../src/adapters/files/storage.ts';
import type { MessageEvent } from '../../src/app/events.ts';

function chunks(total: number, size = 64 * 1024): { stream: Readable; read: () => number } {
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(size, total - sent);
      sent += n;
      this.push(Buffer.alloc(n, 1));
    },
  });
  return { stream, read: () => sent };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('size limit while downloading', () => {
  it('under the limit: the whole resource', async () => {
    expect((await toBuffer(chunks(100_000).stream, 1_000_000)).length).toBe(100_000);
  });
  it('over the limit: refused with the exact size, the bytes dropped', async () => {
    const err = await toBuffer(chunks(1_300_000).stream, 1_000_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceTooLargeError);
    expect(err).toMatchObject({ size: 1_300_000, atLeast: false });
  });
  it('far over the limit: the download is stopped early', async () => {
    const src = chunks(500 * 1024 * 1024);
    const err = await toBuffer(src.stream, 1024 * 1024).catch((e: unknown) => e);
    expect(err).toMatchObject({ atLeast: true });
    expect(src.read()).toBeLessThan(6 * 1024 * 1024);
  });
  it('the refusal names the limit', () => {
    expect(photoTooLarge(5 * 1024 * 1024, 1024 * 1024, '', true)).toMatchObject({ ok: false, reason: 'too_large', message: expect.stringContaining('超过 5.0 MB') });
  });
});

describe('photos by content', () => {
  const fileMessage = (fileName: string): MessageEvent => ({
    kind: 'message',
    eventId: 'e',
    messageId: 'om_abcdef123456',
    chatId: 'oc_1',
    chatType: 'group',
    senderOpenId: 'ou_a',
    senderType: 'user',
    msgType: 'file',
    text: '',
    content: { file_key: 'file_1', file_name: fileName },
    mentions: [],
    mentionedBot: false,
    createTime: new Date(0),
  });

  it('a JPEG named like a document or with no extension is still looked at; documents are left alone', () => {
    expect(photoOf(fileMessage('IMG_0001'))).toBeDefined();
    expect(photoOf(fileMessage('现场照片.JPG'))).toBeDefined();
    expect(photoOf(fileMessage('活动照片.bin'))).toBeDefined();
    expect(photoOf(fileMessage('活动方案.docx'))).toBeUndefined();
    expect(mayBePhotoFile('报表.xlsx')).toBe(false);
  });
  it('the bytes decide: a PDF named .jpg is refused, a PNG named .jpg is a PNG', () => {
    expect(checkPhoto(Buffer.from('%PDF-1.4 not a photo'), 1_000_000, '现场照片.jpg')).toMatchObject({ ok: false, reason: 'not_image' });
    expect(checkPhoto(PNG, 1_000_000, 'photo.jpg')).toEqual({ ok: true, type: 'png' });
    expect(sniffImageType(tinyJpeg())).toBe('jpeg');
    expect(checkPhoto(Buffer.alloc(0), 1_000_000)).toMatchObject({ ok: false, reason: 'empty' });
  });
  it('stored names come from the hash, and hostile names could never be storage paths', () => {
    // ingestPhoto stores at photos/<year>/<themeId>/<sha256[0..32]>.<ext from the bytes>.
    for (const hostile of ['../../etc/passwd', '/etc/passwd', 'a\\..\\b', 'x\u0000.jpg', 'C:/x.jpg', 'a//b']) {
      expect(() => safeRelativePath(hostile)).toThrow();
    }
    const photo = photoOf(fileMessage('../../../etc/passwd'));
    expect(photo?.fileName).toBe('../../../etc/passwd'); // kept only as a label shown in cards
  });
});
