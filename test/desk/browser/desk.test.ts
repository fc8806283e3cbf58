// The coordinator's desk (/desk) in Debian's Chromium, against the whole local app (emulator on the
// same port, real SQLite, the outbox worker delivering): sign in through the emulator's Feishu
// login as the coordinator, find a unit's submission by filtering, return a theme with a reason,
// move an activity to another month on the board (the unit is told in its group), download the
// .docx 计划安排表 and read its table back, see a new submission appear without reloading; a liaison
// signing in is refused; at tablet size the overview's charts and the board fit. Every request the
// pages make must stay on the app's own origin (air-gapped servers): anything else is aborted and
// fails the test.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, SHOTS, SKIP_BROWSER, startLocalApp, type LocalApp } from '../../browser/support.ts';
import { buttonValue, cardText, lastInteractive, shownFormValues } from '../../submissions/support.ts';
import { DEMO_OFFICE } from '../../../src/domain/demo-directory.ts';
import { seedDeskCampaign, type DeskSeed } from './seed.ts';
import { readZipEntry, tablesOf } from './docx.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUNDLE = path.join(ROOT, 'dist-desk', 'index.html');
const COORDINATOR = DEMO_OFFICE.coordinator;

/** When the front end's sources (src/desk/web, the API contract) last changed. */
function newestSource(): number {
  const web = path.join(ROOT, 'src', 'desk', 'web');
  const files = readdirSync(web, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  return Math.max(...[...files, path.join(ROOT, 'src', 'desk', 'api.ts')].map((f) => statSync(f).mtimeMs));
}

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(SKIP_BROWSER)('coordinator desk in Chromium', () => {
  let local: LocalApp;
  let browser: Browser;
  let seed: DeskSeed;
  let origin: string;
  const offsite: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // `npm ci` builds the bundle (prepare); a checkout that skipped it, or edited the front end since, builds it here.
    if (!existsSync(BUNDLE) || newestSource() > statSync(BUNDLE).mtimeMs) execFileSync('npm', ['run', 'build:desk'], { cwd: ROOT, stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    local = await startLocalApp();
    origin = new URL(local.url).origin;
    seed = await seedDeskCampaign(local.app.db);
    // Our own Chromium: the shared one runs under LANG=zh_CN.UTF-8, a locale this machine lacks, and
    // Chromium then saves every download with a Chinese name as "download". Pages still get zh-CN.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--lang=zh-CN'],
      env: { ...process.env, LANG: 'C.UTF-8' },
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await local?.stop();
  });

  async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    contexts.push(context);
    // No network beyond the app: any other origin is recorded and aborted.
    // (Only other origins are routed: the app's own requests, downloads included, pass untouched.)
    await context.route(
      (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
      async (route) => {
        offsite.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, page, errors };
  }

  /** Opens /desk (no session: straight to Feishu's authorize page, or the console's 使用飞书登录 button
   *  when the page was already loaded), then picks the persona on the (emulated) Feishu page. */
  async function signIn(page: Page, openId: string): Promise<void> {
    await page.goto(`${local.url}/desk/`);
    const login = page.locator('[data-test=login]');
    const persona = page.locator(`button[data-open-id="${openId}"]`);
    await login.or(persona).first().waitFor();
    if (await login.isVisible()) await login.click();
    await persona.click();
  }

  const row = (page: Page, text: string) => page.locator('.el-table__body tr.el-table__row', { hasText: text });

  it('signs in as the coordinator, filters, returns a theme, moves an activity, downloads the 计划安排表 and sees a live submission', { timeout: 300_000 }, async () => {
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await signIn(page, COORDINATOR.openId);
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/desk\/?$/);
    await page.locator('[data-test=me]', { hasText: COORDINATOR.name }).waitFor();
    await page.locator('[data-test=stage]').waitFor();

    // 申报表: find one unit's submission by filtering, open its full text.
    const pendingTheme = seed.themes.find((t) => !t.approved)!;
    await page.locator('[data-test=nav-submissions]').click();
    await row(page, seed.themes[0]!.title).first().waitFor();
    // Every cell reads as Chinese: an on-time row's 逾期 cell is empty, never the raw "false".
    expect(await page.locator('.el-table__body td').allInnerTexts()).not.toContain('false');
    await page.getByPlaceholder('搜索单位、主题、简介、联系人').fill(pendingTheme.unitName);
    await expect.poll(() => page.locator('.el-table__body tr.el-table__row').count(), { timeout: 15_000 }).toBe(2);
    const target = row(page, pendingTheme.title);
    await target.locator('.el-table__expand-icon').click();
    await page.locator('[data-test=full-text]', { hasText: pendingTheme.intro }).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'desk-submissions.png') });

    // 审核: return that theme with a reason (the same use case as the review card).
    await page.locator('[data-test=nav-review]').click();
    await page.getByPlaceholder('单位或主题').fill(pendingTheme.title);
    const item = page.locator('[data-test=review-item]', { hasText: pendingTheme.title });
    await item.locator('[data-test=return]').click();
    const dialog = page.locator('.el-dialog', { hasText: '退回修改' });
    await dialog.locator('textarea').fill('活动形式与主要内容不一致，请补充座谈对象和议程');
    await dialog.locator('.el-checkbox', { hasText: '主要内容' }).click();
    await dialog.locator('[data-test=confirm-decision]').click();
    await page.locator('.el-message--success', { hasText: '已退回修改' }).waitFor();
    const returned = await local.app.db.theme.findUniqueOrThrow({ where: { id: pendingTheme.id } });
    expect(returned.reviewStatus).toBe('returned');
    expect(returned.reviewReason).toContain('请补充座谈对象和议程');
    const audit = await local.app.db.auditLog.findFirst({ where: { entityId: pendingTheme.id, actorOpenId: COORDINATOR.openId }, orderBy: { at: 'desc' } });
    expect(audit, 'the return is audited with the signed-in coordinator as actor').not.toBeNull();

    // 计划安排: move an approved activity to another month; the unit hears of it in its group.
    const moved = seed.themes.find((t) => t.approved && t.chatId)!;
    const to = moved.month === 11 ? 10 : 11;
    const appMessages = () => local.app.emulator!.messages(moved.chatId!).filter((m) => m.senderType === 'app');
    const before = appMessages().length;
    await page.locator('[data-test=nav-schedule]').click();
    const card = page.locator(`[data-test=board-item][data-theme="${moved.id}"]`);
    await page.locator(`[data-test=board-month][data-month="${moved.month}"]`).locator(`[data-theme="${moved.id}"]`).waitFor();
    await card.locator('[data-test=move]').click();
    await page.locator('.el-dropdown-menu__item:visible', { hasText: new RegExp(`^\\s*${to} 月\\s*$`) }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '调整' }).click();
    await page.locator('.el-message--success', { hasText: `${to} 月` }).waitFor();
    await page.locator(`[data-test=board-month][data-month="${to}"]`).locator(`[data-theme="${moved.id}"]`).waitFor();
    expect((await local.app.db.theme.findUniqueOrThrow({ where: { id: moved.id } })).scheduledMonth).toBe(to);
    await waitUntil(() => appMessages().length > before, 'the move notice in the unit group');
    const notice = cardText(appMessages().at(-1)!.card);
    expect(notice).toContain(moved.title);
    expect(notice).toContain(`${to}月`);
    await page.screenshot({ path: path.join(SHOTS, 'desk-board.png') });

    // The 计划安排表 as .docx, read back: its table lists the moved activity in its new month.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=doc-schedule]').click()]);
    const file = path.join(SHOTS, 'desk-schedule.docx');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/^长沙县2026年.*计划安排表.*\.docx$/);
    const tables = tablesOf(await readZipEntry(file, 'word/document.xml'));
    const table = tables.find((t) => t.rows.some((r) => r.join('|').includes(moved.title)));
    expect(table, `a table with ${moved.title}`).toBeDefined();
    expect(table!.headerRepeated, 'header row repeated across pages').toBe(true);
    const movedRow = table!.rows.find((r) => r.join('|').includes(moved.title))!;
    expect(movedRow.join('|')).toContain(moved.unitName);
    expect(movedRow.some((c) => c.replace(/\s/g, '') === `${to}月` || c.trim() === String(to))).toBe(true);

    // A unit submits in Feishu while the desk is open: the row appears without a reload.
    const unit = seed.pendingUnits.find((u) => u.chatId && u.liaisonOpenId)!;
    await page.locator('[data-test=nav-submissions]').click();
    await page.getByPlaceholder('搜索单位、主题、简介、联系人').fill(unit.name);
    await row(page, unit.name).first().waitFor();
    await page.evaluate(() => ((window as unknown as { deskMarker: number }).deskMarker = 42));
    const emu = local.app.emulator!;
    const p2p = emu.p2pChatId(unit.liaisonOpenId!);
    await emu.userSendText(unit.liaisonOpenId!, unit.chatId!, '申报', { mentionBot: true });
    await waitUntil(() => emu.messages(p2p).some((m) => m.msgType === 'interactive' && cardText(m.card).includes('btn_submit')), 'the submission form in the private chat');
    const form = lastInteractive(emu.messages(p2p))!;
    const title = `${unit.name.slice(0, 6)}政务服务体验日`;
    const r = await emu.userClickCard(unit.liaisonOpenId!, form.messageId, {
      tag: 'button',
      name: 'btn_submit',
      value: buttonValue(form.card, { name: 'btn_submit' }),
      formValue: {
        ...shownFormValues(form.card),
        contact_name: '周晓燕',
        contact_phone: '13812345678',
        theme_title: title,
        theme_month: '9',
        theme_forms: ['observe'],
        theme_intro: '邀请群众代表走进政务服务中心体验办事流程，现场听取意见建议。',
      },
    });
    expect(r.toast?.type, r.toast?.content).toBe('success');
    await row(page, title).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { deskMarker?: number }).deskMarker)).toBe(42);

    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
  });

  it('refuses a liaison with a clear Chinese page', { timeout: 120_000 }, async () => {
    const { page } = await newPage({ width: 1440, height: 900 });
    const liaison = seed.pendingUnits.find((u) => u.liaisonOpenId)!;
    const refusal = page.waitForResponse((r) => r.url().includes('/desk/auth/callback'));
    await signIn(page, liaison.liaisonOpenId!);
    expect((await refusal).status()).toBe(403);
    await page.locator('[data-testid=desk-refusal]').waitFor();
    const body = await page.locator('body').innerText();
    expect(body).toMatch(/[\u4e00-\u9fff]/);
    expect(body).toMatch(/协调人/);
    expect(await page.locator('[data-test=me]').count()).toBe(0);
    const me = await page.request.get(`${local.url}/desk/api/me`);
    expect(me.status()).toBe(401);
    expect(((await me.json()) as { error: string }).error).toBe('未登录');
    await page.screenshot({ path: path.join(SHOTS, 'desk-refused.png') });
    expect(offsite).toEqual([]);
  });

  it('fits a tablet (1024×768): overview with the cards’ VChart specs, the twelve-month board', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage({ width: 1024, height: 768 });
    await signIn(page, COORDINATOR.openId);
    await page.locator('[data-test=stage]').waitFor();
    const charts = page.locator('[data-test=chart]');
    if ((await charts.count()) > 0) await page.locator('[data-test=chart][data-rendered=true]').first().waitFor();
    const noSideScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    expect(await noSideScroll()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'desk-tablet-overview.png') });
    await page.locator('[data-test=nav-schedule]').click();
    await page.locator('[data-test=board-month][data-month="12"]').waitFor();
    expect(await page.locator('[data-test=board-month]').count()).toBe(12);
    expect(await noSideScroll()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'desk-tablet-board.png') });
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
  });

  it('opens every page of the console without a script error or an off-origin request', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await signIn(page, COORDINATOR.openId);
    await page.locator('[data-test=stage]').waitFor();
    const pages: [string, string][] = [
      ['submissions', '申报表'],
      ['review', '审核'],
      ['schedule', '计划安排'],
      ['summaries', '总结与佐证'],
      ['evaluation', '评选'],
      ['units', '单位名录'],
      ['settings', '设置'],
      ['audit', '审计日志'],
    ];
    for (const [name, title] of pages) {
      await page.locator(`[data-test=nav-${name}]`).click();
      await page.locator('h2.page-title', { hasText: title }).waitFor();
      // Loaded: no loading mask left on the page.
      await expect.poll(() => page.locator('.el-loading-mask').count(), { timeout: 15_000 }).toBe(0);
      await page.screenshot({ path: path.join(SHOTS, `desk-page-${name}.png`) });
    }
    // The unit directory lists the demo county; the audit log shows this session's sign-in.
    await page.locator('[data-test=nav-units]').click();
    await row(page, seed.pendingUnits[0]!.name).first().waitFor();
    // Importing a directory file with bad rows: checked first, every bad row listed, nothing written.
    const unitsBefore = await local.app.db.unit.count();
    await page.locator('[data-test=import-file]').setInputFiles({
      name: '名录.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('单位名称,单位类型,联系人,联系电话\n,镇,张三,13800000000\n星沙街道,街道,李四,12345\n', 'utf8'),
    });
    await page.getByRole('button', { name: '检查' }).click();
    const importErrors = page.locator('[data-test=import-errors] .el-table__row');
    await importErrors.first().waitFor();
    expect(await importErrors.count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-test=import-errors]').innerText()).toContain('单位名称');
    await page.locator('.el-progress').waitFor();
    expect(await local.app.db.unit.count()).toBe(unitsBefore);
    await page.locator('[data-test=nav-audit]').click();
    await row(page, 'desk.login').first().waitFor();
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
  });

  it('moves an activity by dragging it to another month on the board', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await signIn(page, COORDINATOR.openId);
    await page.locator('[data-test=stage]').waitFor();
    await page.locator('[data-test=nav-schedule]').click();
    const current = async (id: string) => {
      const t = await local.app.db.theme.findUniqueOrThrow({ where: { id } });
      return t.scheduledMonth ?? t.month;
    };
    const theme = seed.themes.filter((t) => t.approved).at(-1)!;
    const from = await current(theme.id);
    const to = from === 4 ? 3 : 4;
    const item = page.locator(`[data-test=board-month][data-month="${from}"] [data-theme="${theme.id}"]`);
    await item.dragTo(page.locator(`[data-test=board-month][data-month="${to}"]`));
    await page.locator('.el-message-box').getByRole('button', { name: '调整' }).click();
    await page.locator(`[data-test=board-month][data-month="${to}"] [data-theme="${theme.id}"]`).waitFor();
    expect(await current(theme.id)).toBe(to);
    expect(errors).toEqual([]);
  });

  it('lets a reviewer in to the review queue only', { timeout: 120_000 }, async () => {
    const person = seed.pendingUnits.filter((u) => u.liaisonOpenId).at(-1)!;
    await local.app.db.reviewer.create({ data: { campaignId: seed.campaignId, openId: person.liaisonOpenId!, name: '审核人', addedBy: COORDINATOR.openId } });
    const { page, errors } = await newPage({ width: 1440, height: 900 });
    await signIn(page, person.liaisonOpenId!);
    await page.locator('[data-test=me]', { hasText: '审核人' }).waitFor();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/desk\/review$/);
    await page.locator('[data-test=review-item]').first().waitFor();
    expect(await page.locator('[data-test^=nav-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')))).toEqual(['nav-review']);
    // The server refuses the coordinator's pages to a reviewer, whatever the browser asks.
    expect((await page.request.get(`${local.url}/desk/api/units`)).status()).toBe(403);
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
  });
});
