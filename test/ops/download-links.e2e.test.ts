// Export links: the card that produced an export also carries a 下载 button to a signed, expiring URL on
// our server (only the file id in it). The link downloads the very file and is audited; a tampered link
// or an expired one gets a Chinese page and no bytes. Both databases, the real SDK against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { checkDownload, downloadUrl } from '../../src/app/download-links.ts';
import { seedEvaluatedStage } from '../../src/usecases/demo/seed-evaluated.ts';
import { markdownContents } from '../support/card-markdown.ts';
import { currentCard, expectValidCard, lastBotCard, seedScheduled2023, waitFor } from '../summaries/support.ts';

/** The open_url buttons of a card: text → URL. */
function linkButtons(card: unknown): { text: string; url: string }[] {
  const found: { text: string; url: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const open = Array.isArray(o.behaviors) ? (o.behaviors as { type: string; default_url?: string }[]).find((b) => b.type === 'open_url') : undefined;
    if (o.tag === 'button' && open?.default_url) found.push({ text: (o.text as { content: string }).content, url: open.default_url });
    Object.values(o).forEach(walk);
  };
  walk(card);
  return found;
}

describe('download link signing', () => {
  const secret = 'k'.repeat(40);
  const now = new Date('2024-12-04T02:00:00Z');
  const expires = new Date('2024-12-11T02:00:00Z');
  const url = new URL(downloadUrl('https://themeday.example.gov.cn/', secret, 'cm4abcdefghij', expires));

  it('names only the id, the expiry and a signature', () => {
    expect(url.origin + url.pathname).toBe('https://themeday.example.gov.cn/downloads/cm4abcdefghij');
    expect([...url.searchParams.keys()]).toEqual(['e', 's']);
    expect(checkDownload(secret, 'cm4abcdefghij', url.searchParams.get('e'), url.searchParams.get('s'), now)).toBe('ok');
  });

  it('refuses another id, a stretched expiry, another secret; expires on time', () => {
    const e = url.searchParams.get('e')!;
    const s = url.searchParams.get('s')!;
    expect(checkDownload(secret, 'cm4abcdefghik', e, s, now)).toBe('tampered');
    expect(checkDownload(secret, 'cm4abcdefghij', String(Number(e) + 86_400), s, now)).toBe('tampered');
    expect(checkDownload('x'.repeat(40), 'cm4abcdefghij', e, s, now)).toBe('tampered');
    expect(checkDownload(secret, 'cm4abcdefghij', e, undefined, now)).toBe('tampered');
    expect(checkDownload(secret, 'cm4abcdefghij', e, s, new Date(expires.getTime() - 1000))).toBe('ok');
    expect(checkDownload(secret, 'cm4abcdefghij', e, s, expires)).toBe('expired');
  });

  it('config: PUBLIC_BASE_URL must be an http(s) base; the secret at least 32 characters and never printed', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://themeday.example.gov.cn/' }).publicBaseUrl).toBe('https://themeday.example.gov.cn');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x' })).toThrow(/PUBLIC_BASE_URL = "ftp:\/\/x" — 应为 http\(s\) 地址/);
    expect(() => loadConfig({ DOWNLOAD_LINK_SECRET: 'short-secret' })).toThrow(/DOWNLOAD_LINK_SECRET = "\*\*\*" — 至少 32 个字符/);
    expect(loadConfig({ DOWNLOAD_LINK_DAYS: '3' }).downloadLinkDays).toBe(3);
    // Without its own secret the key is derived from the app secret: different apps, different keys.
    expect(loadConfig({ FEISHU_APP_ID: 'cli_a', FEISHU_APP_SECRET: 'one' }).downloadLinkSecret).not.toBe(loadConfig({ FEISHU_APP_ID: 'cli_a', FEISHU_APP_SECRET: 'two' }).downloadLinkSecret);
  });
});

describe.each(PROVIDERS_UNDER_TEST)('export links in the card that produced the export (%s)', (provider) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock('2024-12-04T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'false' } });
    await seedScheduled2023(h.db, 12);
    await seedEvaluatedStage(h.services);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('年度对比 → 导出 Excel: the card shows 下载; the link gives the same file, audited; tampered and expired links are refused', async () => {
    const coordinator = h.demo.coordinatorOpenId;
    await h.say(coordinator, h.demo.officeChatId, '年度对比');
    await h.drainOutbox();
    const { messageId, card } = lastBotCard(h, h.demo.officeChatId);
    expect(linkButtons(card)).toEqual([]);
    await h.click(coordinator, messageId, { a: 'history.export' });
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'history.export_link:' } } })) === 1);
    await h.drainOutbox();

    const updated = currentCard(h, messageId);
    expectValidCard(updated);
    const links = linkButtons(updated);
    expect(links.map((l) => l.text)).toEqual(['下载 Excel']);
    // Markdown text: '-' arrives as a character reference (escapeMarkdown), shown as '-'.
    expect(
      markdownContents(updated)
        .join('\n')
        .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
    ).toContain('下载链接 2024-12-11 10:00 前有效');
    const url = new URL(links[0]!.url);
    expect(url.origin).toBe(new URL(h.url).origin);

    const row = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: { startsWith: 'history.export:' } } });
    const stored = await h.services.storage.get((JSON.parse(row.payload) as { storedPath: string }).storedPath);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(ok.headers.get('content-disposition') ?? '')).toMatch(/attachment; .*filename\*=UTF-8''政务公开主题日年度对比-\d{12}\.xlsx$/);
    expect(Buffer.from(await ok.arrayBuffer()).equals(stored)).toBe(true);
    const id = url.pathname.split('/').pop()!;
    expect(await h.db.auditLog.count({ where: { action: 'export.download', entityId: id, decision: 'allow' } })).toBe(1);

    // Tampered: another id with this signature, or a later expiry.
    const other = new URL(url);
    other.pathname = other.pathname.replace(id, `${id.slice(0, -1)}${id.endsWith('a') ? 'b' : 'a'}`);
    const later = new URL(url);
    later.searchParams.set('e', String(Number(url.searchParams.get('e')) + 86_400));
    for (const bad of [other, later]) {
      const r = await fetch(bad);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(await r.text()).toContain('下载链接无效');
    }

    // Expired: seven days later the same link is refused.
    h.clock.set(new Date('2024-12-11T02:00:01Z'));
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    const page = await expired.text();
    expect(page).toContain('下载链接已过期');
    // the page names no icon for the browser to fetch (a /favicon.ico 404 in its console otherwise)
    expect(page).toContain('<link rel="icon" href="data:,">');
    expect(await h.db.auditLog.count({ where: { action: 'export.download', decision: 'deny' } })).toBe(3);
    h.clock.set(new Date('2024-12-04T02:10:00Z'));
  });

  it('评选进度 → 导出评选汇总表: the progress card shows 下载 next to its buttons', async () => {
    const coordinator = h.demo.coordinatorOpenId;
    await h.say(coordinator, h.demo.officeChatId, '评选进度');
    await h.drainOutbox();
    const { messageId } = lastBotCard(h, h.demo.officeChatId);
    await h.click(coordinator, messageId, { a: 'evaluation.export_xlsx' });
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'evaluation.export_link:xlsx:' } } })) === 1);
    await h.drainOutbox();
    const updated = currentCard(h, messageId);
    expectValidCard(updated);
    expect((updated.header as { title: { content: string } }).title.content).toBe('评选进度与排名');
    const links = linkButtons(updated);
    expect(links.map((l) => l.text)).toEqual(['下载 评选汇总表']);
    const r = await fetch(links[0]!.url);
    expect(r.status).toBe(200);
    expect(decodeURIComponent(r.headers.get('content-disposition') ?? '')).toContain('年最佳政务公开主题日活动评选汇总表-');
  });

  it('导出申报表: the links (full phone numbers) come privately to the coordinator who asked, never in the group', async () => {
    const coordinator = h.demo.coordinatorOpenId;
    await h.say(coordinator, h.demo.officeChatId, '导出申报表 2023');
    await waitFor(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { endsWith: ':links' } } })) === 1);
    await h.drainOutbox();
    const row = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: { endsWith: ':links' } } });
    expect(JSON.parse(row.payload).to).toEqual({ openId: coordinator });
    const card = (JSON.parse(row.payload) as { card: unknown }).card;
    expectValidCard(card);
    expect(linkButtons(card).map((l) => l.text)).toEqual(['下载 Excel', '下载 CSV']);
    for (const l of linkButtons(card)) expect(JSON.stringify(h.messages(h.demo.officeChatId))).not.toContain(new URL(l.url).pathname);
    const csv = await fetch(linkButtons(card)[1]!.url);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
  });
});
