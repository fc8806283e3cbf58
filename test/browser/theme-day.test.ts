// The whole app in Chromium, as a county would use it in local mode: the coordinator launches the
// campaign from a card, a unit's liaison fills the form (a validation error first, two themes), the
// receipt reaches the group, the coordinator's 进度 counts the unit; the coordinator works the progress
// and 催办 cards; and the liaison does it again on a phone. Screenshots: test-results/browser-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OFFICE, DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import {
  FEISHU_CALLBACK_BUDGET_MS,
  SKIP_BROWSER,
  campaignDates,
  cardRow,
  confirmDialog,
  openBotChat,
  openChat,
  openScreen,
  openSubmissionForm,
  overflowing,
  sayToBot,
  shot,
  startLocalApp,
  switchPersona,
  toast,
  truncatedButtons,
  type LocalApp,
} from './support.ts';
import { STORY } from '../support/kit.ts';

const coordinator = { openId: DEMO_OFFICE.coordinator.openId, name: DEMO_OFFICE.coordinator.name };
const office = DEMO_OFFICE.chatId;
const xingsha = DEMO_UNITS.find((u) => u.name === '星沙街道')!;
const liaison = { openId: xingsha.liaisons[0]!.openId!, name: xingsha.liaisons[0]!.name };
const xianglong = DEMO_UNITS.find((u) => u.name === '湘龙街道')!;
const otherLiaison = { openId: xianglong.liaisons[0]!.openId!, name: xianglong.liaisons[0]!.name };
const unitCount = DEMO_UNITS.length;
const { year, deadline, months } = campaignDates();

const THEME_1 = {
  title: '优化营商环境政策面对面',
  tooShort: '座谈，解读政策。',
  intro: '邀请企业代表、人大代表和政协委员座谈，解读今年出台的优化营商环境政策，现场听取意见建议并答复。',
};
const THEME_2 = {
  title: '民生实事项目现场观摩',
  intro: '组织市民群众代表和新闻媒体走进民生实事项目建设现场（体验式观摩），介绍项目进展并听取群众意见。',
};

// A story: the second step works the progress card the first one made (1 unit in), the third opens its receipt.
describe.skipIf(SKIP_BROWSER)('the app in Chromium (local mode, demo county)', STORY, () => {
  let local: LocalApp;

  beforeAll(async () => {
    local = await startLocalApp();
  });
  afterAll(async () => {
    if (!local) return;
    const slow = local.callbacks().filter((c) => c.ms > FEISHU_CALLBACK_BUDGET_MS);
    if (slow.length > 0) console.warn(`[browser] card callbacks over Feishu's 3 s: ${slow.map((c) => `${c.action} ${c.ms} ms`).join(', ')}`);
    await local.stop();
  });

  it('launch → a liaison fills the form (error first, two themes) → receipt → 进度 counts the unit', async () => {
    const { page, context, errors } = await openScreen(local, 'desktop');

    // The coordinator launches from the office group.
    await switchPersona(page, coordinator.openId, coordinator.name);
    await openChat(page, office);
    await sayToBot(page, '发起申报');
    const launch = cardRow(page, `发起 ${year} 年主题申报`);
    await launch.waitFor();
    const launchId = await launch.getAttribute('data-message-id');
    expect(await launch.locator('input[name="launch_title"]').inputValue()).toBe(`长沙县${year}年“政务公开主题日”活动`);
    expect(await launch.locator('input[name="launch_contact_phone"]').inputValue()).toBe('0731-84872387');
    await launch.locator('input[name="launch_deadline"]').fill(deadline);
    await shot(page, '01-launch-card');
    await launch.locator('button[data-name="btn_launch"]').click();
    await confirmDialog(page, '确认发起申报');
    // Launching writes a notice per unit in one transaction; past the app's 2.5 s callback budget the app
    // answers 正在处理 and the card stays as it was (see the report) — tolerated here, loudly, because it
    // depends on the machine's load; the notices must arrive either way.
    const done = page.locator('.toast', { hasText: `已发起，通知已发往 ${unitCount} 个单位工作群` });
    const slow = page.locator('.toast', { hasText: '正在处理，请稍候' });
    await done.or(slow).first().waitFor({ timeout: 30_000 });
    if (await done.count()) {
      // The launch card turned into the result, in place.
      const launched = page.locator(`#message-list [data-message-id="${launchId}"]`);
      await launched.locator('.card-title', { hasText: '申报已发起' }).waitFor();
      expect(await launched.textContent()).toContain(`共 ${unitCount} 个单位应申报`);
    } else {
      console.warn('[browser] 发起申报 answered 正在处理，请稍候 (slower than the callback budget): the launch card was not replaced');
    }
    await cardRow(page, `关于申报长沙县${year}年`).waitFor({ timeout: 30_000 });
    await shot(page, '02-launched');

    // The liaison sees the notice in the unit group and asks for the form.
    await switchPersona(page, liaison.openId, liaison.name);
    await openChat(page, xingsha.chatId);
    const notice = cardRow(page, `关于申报长沙县${year}年`);
    await notice.waitFor();
    const noticeText = (await notice.textContent()) ?? '';
    for (const s of [`${year}年4月7日`, '实地调研', '现场观摩', '座谈交流', '政策发布', '问卷调查', '0731-84872387', liaison.name]) expect(noticeText).toContain(s);
    await shot(page, '03-notice');
    const { formRow, formId, form } = await openSubmissionForm(page, notice);
    // Who fills it in is prefilled from the directory.
    expect(await form.locator('input[name="contact_name"]').inputValue()).toBe(liaison.name);

    // First theme with a too-short 活动简介.
    await form.locator('input[name="theme_title"]').fill(THEME_1.title);
    await form.locator('select[name="theme_month"]').selectOption(String(months[0]));
    await form.locator('.ms-box[data-name="theme_forms"]').click();
    await form.locator('.ms-item[data-value="forum"]').click();
    await form.locator('.ms-item[data-value="policy"]').click();
    await formRow.locator('.card-header').click();
    await form.locator('textarea[name="theme_intro"]').fill(THEME_1.tooShort);
    await form.locator('button[data-name="btn_save"]').click();
    await toast(page, '活动简介至少 20 个字');
    await formRow.locator('.md-font.fc-red', { hasText: '活动简介至少 20 个字' }).waitFor();
    // What was typed is kept.
    expect(await form.locator('input[name="theme_title"]').inputValue()).toBe(THEME_1.title);
    expect(await form.locator('select[name="theme_month"]').inputValue()).toBe(String(months[0]));
    expect(await form.locator('.ms-box[data-name="theme_forms"] .ms-tag').allTextContents()).toEqual(['座谈交流×', '政策发布×']);
    expect(await form.locator('textarea[name="theme_intro"]').inputValue()).toBe(THEME_1.tooShort);
    await formRow.locator('.md-font.fc-red').scrollIntoViewIfNeeded();
    await shot(page, '04-form-invalid');

    // Fixed; saved; the second theme.
    await form.locator('textarea[name="theme_intro"]').fill(THEME_1.intro);
    await form.locator('button[data-name="btn_save"]').click();
    await toast(page, '已保存第 1 个主题');
    await formRow.locator('.md', { hasText: '填写第 2 个主题' }).waitFor();
    expect(await formRow.locator('.md-font.fc-red').count()).toBe(0);
    expect(await formRow.textContent()).toContain(THEME_1.title);
    expect(await form.locator('input[name="theme_title"]').inputValue()).toBe('');
    await form.locator('input[name="theme_title"]').fill(THEME_2.title);
    await form.locator('select[name="theme_month"]').selectOption(String(months[1]));
    await form.locator('.ms-box[data-name="theme_forms"]').click();
    await form.locator('.ms-item[data-value="observe"]').click();
    await formRow.locator('.card-header').click();
    await form.locator('textarea[name="theme_intro"]').fill(THEME_2.intro);
    expect(await truncatedButtons(formRow)).toEqual([]);
    await shot(page, '05-form-second-theme');
    await form.locator('button[data-name="btn_submit"]').click();
    const submitted = page.locator(`#message-list [data-message-id="${formId}"]`);
    await submitted.locator('.card-title', { hasText: '申报已提交' }).waitFor({ timeout: 30_000 });
    const submittedText = (await submitted.textContent()) ?? '';
    expect(submittedText).toContain('共 2 个主题');
    expect(submittedText).toContain(THEME_1.title);
    expect(submittedText).toContain(THEME_2.title);
    await shot(page, '06-submitted-private');

    // The receipt in the unit group: both themes, Chinese punctuation intact, the phone masked.
    await openChat(page, xingsha.chatId);
    const receipt = cardRow(page, '申报回执');
    await receipt.waitFor();
    const receiptText = (await receipt.textContent()) ?? '';
    expect(receiptText).toContain(THEME_1.intro);
    expect(receiptText).toContain(THEME_2.intro);
    expect(receiptText).toMatch(/0731-\*{4}\d{4}/);
    await receipt.scrollIntoViewIfNeeded();
    await shot(page, '07-receipt-group');

    // The coordinator's 进度 counts the unit.
    await switchPersona(page, coordinator.openId, coordinator.name);
    await openChat(page, office);
    await sayToBot(page, '进度');
    const progress = cardRow(page, '申报进度');
    await progress.waitFor();
    expect(await progress.locator('.card-title-tags').textContent()).toBe(`1/${unitCount}`);
    const streets = progress.locator('.ctable tbody tr', { has: page.locator('td', { hasText: /^街道$/ }) });
    const cells = await streets.locator('td').allTextContents();
    expect(cells.slice(1)).toEqual(['1', '5', '4']);
    const streetsLeft = (await progress.locator('.md', { hasText: '未提交的街道（4）' }).textContent()) ?? '';
    expect(streetsLeft).not.toContain('星沙街道');
    expect(streetsLeft).toContain('湘龙街道');
    await shot(page, '08-progress');

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('coordinator: card buttons answer in place; 催办 reaches a unit, whose submission updates the progress card live', async () => {
    const { page, context, errors } = await openScreen(local, 'desktop');
    await switchPersona(page, coordinator.openId, coordinator.name);
    await openChat(page, office);

    const progress = cardRow(page, '申报进度');
    await progress.waitFor();
    const progressId = await progress.getAttribute('data-message-id');
    const progressCard = page.locator(`#message-list [data-message-id="${progressId}"]`);
    const before = await page.locator('#message-list [data-message-id]').count();
    await progress.locator('button', { hasText: '刷新' }).click();
    await toast(page, '已刷新');
    expect(await progressCard.locator('.card-title-tags').textContent()).toBe(`1/${unitCount}`);
    expect(await page.locator('#message-list [data-message-id]').count()).toBe(before);

    await progress.locator('button', { hasText: '催办未提交单位' }).click();
    await toast(page, '已生成催办预览');
    const preview = cardRow(page, '催办预览');
    await preview.waitFor();
    const previewId = await preview.getAttribute('data-message-id');
    expect(await preview.textContent()).toContain(`将催办 ${unitCount - 1} 个未报送单位`);
    await shot(page, '09-nudge-preview');
    await preview.locator('button', { hasText: '确认催办' }).click();
    // 39 reminders in one transaction: tolerated past the callback budget, as for the launch.
    const done = page.locator('.toast', { hasText: `已催办 ${unitCount - 1} 个单位` });
    const slow = page.locator('.toast', { hasText: '正在处理，请稍候' });
    await done.or(slow).first().waitFor({ timeout: 30_000 });
    if (await done.count()) {
      const sent = page.locator(`#message-list [data-message-id="${previewId}"]`);
      await sent.locator('.card-title', { hasText: '催办已发送' }).waitFor();
      expect(await sent.locator('.card-header').getAttribute('class')).toContain('tpl-green');
    } else {
      console.warn('[browser] 确认催办 answered 正在处理，请稍候 (slower than the callback budget): the preview card was not replaced');
    }
    await shot(page, '10-nudge-sent');

    // Another unit's liaison, in their own browser: @-mentioned in the group, fills the form from the reminder.
    const other = await openScreen(local, 'desktop');
    await switchPersona(other.page, otherLiaison.openId, otherLiaison.name);
    await openChat(other.page, xianglong.chatId);
    const reminder = cardRow(other.page, '催办');
    await reminder.waitFor({ timeout: 30_000 });
    await reminder.locator('.md-at-me', { hasText: `@${otherLiaison.name}` }).waitFor();
    await shot(other.page, '11-nudged-group');
    await reminder.locator('button', { hasText: '填写申报表' }).click();
    await toast(other.page, '申报表已发到你与主题日助手的私聊');
    await openBotChat(other.page);
    await cardRow(other.page, '主题申报').waitFor();
    const formRow = other.page.locator(`#message-list [data-message-id="${await cardRow(other.page, '主题申报').getAttribute('data-message-id')}"]`);
    const form = formRow.locator('form');
    await form.locator('input[name="theme_title"]').fill('“一件事一次办”现场体验');
    await form.locator('select[name="theme_month"]').selectOption(String(months[0]));
    await form.locator('.ms-box[data-name="theme_forms"]').click();
    await form.locator('.ms-item[data-value="observe"]').click();
    await formRow.locator('.card-header').click();
    await form.locator('textarea[name="theme_intro"]').fill('邀请企业和群众代表到政务服务中心体验“一件事一次办”，现场观摩办理流程，收集改进意见。');
    await form.locator('button[data-name="btn_submit"]').click();
    await formRow.locator('.card-title', { hasText: '申报已提交' }).waitFor({ timeout: 30_000 });
    expect(other.errors).toEqual([]);
    await other.context.close();

    // The coordinator's progress card was patched in place, live, without a reload.
    await progressCard.locator('.card-title-tags', { hasText: `2/${unitCount}` }).waitFor({ timeout: 30_000 });
    const streets = progressCard.locator('.ctable tbody tr', { has: page.locator('td', { hasText: /^街道$/ }) });
    const cells = await streets.locator('td').allTextContents();
    expect(cells.slice(1)).toEqual(['2', '5', '3']);
    expect(await progressCard.locator('.md', { hasText: '未提交的街道（3）' }).textContent()).not.toContain('湘龙街道');
    await progressCard.scrollIntoViewIfNeeded();
    await shot(page, '12-progress-live');

    // 导出申报表 from the card: in the private chat the file bubble downloads (as in Feishu), and the
    // 申报表已导出 card's 下载 button opens the signed link, which downloads the same table.
    await progressCard.locator('button', { hasText: '导出申报表' }).click();
    await toast(page, '正在生成申报表');
    await openBotChat(page);
    const fileBubble = page.locator('#message-list a.bubble-file', { hasText: '.xlsx' }).last();
    await fileBubble.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), fileBubble.click()]);
    expect(await download.failure()).toBeNull();
    const fileName = (await fileBubble.getAttribute('download')) ?? '';
    expect(fileName).toMatch(/^长沙县\d{4}年政务公开主题日活动主题申报表_\d{12}\.xlsx$/);
    const { readFile } = await import('node:fs/promises');
    const downloaded = await readFile(await download.path());
    const ready = cardRow(page, '申报表已导出');
    await ready.waitFor({ timeout: 30_000 });
    // The button opens the link in a new window (a download, so that window never shows a page).
    const [request] = await Promise.all([context.waitForEvent('request', (r) => r.url().includes('/downloads/')), ready.locator('button', { hasText: '下载 Excel' }).click()]);
    const link = request.url();
    expect(link).toMatch(/\/downloads\/[a-z0-9]+\?e=\d+&s=/);
    const viaLink = await page.request.get(link);
    expect(viaLink.status()).toBe(200);
    expect(decodeURIComponent(viaLink.headers()['content-disposition'] ?? '')).toContain(fileName);
    // The link gives the very table the file message carries.
    expect((await viaLink.body()).equals(downloaded)).toBe(true);
    await shot(page, '13-export-links');

    // Two commands typed back to back: the second Enter, pressed as soon as the composer clears, is
    // sent too (the composer dropped it without a word while the chat reloaded after the first).
    // The chat's reload after a send is held for a second, so the second Enter lands within it.
    const reload = /\/_emulator\/api\/workspace\/chats\/[^/]+\/messages\?/;
    await page.route(reload, async (route) => {
      if (route.request().method() === 'GET') await new Promise((r) => setTimeout(r, 1000));
      await route.continue();
    });
    const composer = page.locator('#composer-input');
    const mine = page.locator('#message-list .msg.mine');
    const typed = await mine.count();
    await composer.fill('帮助');
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe('');
    await composer.fill('进度');
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue(), { timeout: 3000 }).toBe('');
    // Waits for the held reloads to be continued first: a plain unroute turns interception off, which
    // lets Chromium continue them itself, and the handler's own continue then fails unhandled.
    await page.unrouteAll({ behavior: 'wait' });
    await expect.poll(() => mine.count(), { timeout: 15_000 }).toBe(typed + 2);

    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('phone (390×844): the liaison opens the group, the receipt and the form; the coordinator the progress card', async () => {
    const { page, context, errors } = await openScreen(local, 'phone');
    await switchPersona(page, liaison.openId, liaison.name);
    const item = page.locator(`.chat-item[data-chat-id="${xingsha.chatId}"]`);
    await item.waitFor();
    expect(await page.locator('.conversation').isVisible()).toBe(false);
    await shot(page, '13-phone-list');

    await item.tap();
    const receipt = cardRow(page, '申报回执');
    await receipt.waitFor();
    expect(await page.locator('.sidebar').isVisible()).toBe(false);
    expect(await overflowing(page, page.locator('#message-list'))).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await truncatedButtons(page.locator('#message-list'))).toEqual([]);
    await receipt.scrollIntoViewIfNeeded();
    await shot(page, '14-phone-receipt');
    await cardRow(page, `关于申报长沙县${year}年`).scrollIntoViewIfNeeded();
    await shot(page, '15-phone-notice');

    await receipt.locator('button', { hasText: '修改' }).tap();
    await toast(page, '申报表已发到你与主题日助手的私聊');
    await page.locator('#back-button').tap();
    await openBotChat(page);
    const formRow = cardRow(page, '主题申报');
    await formRow.waitFor();
    const form = formRow.locator('form');
    await form.locator('textarea[name="theme_intro"], input[name="theme_title"]').first().waitFor();
    expect(await formRow.textContent()).toContain(THEME_1.title);
    expect(await overflowing(page, page.locator('#message-list'))).toEqual([]);
    expect(await truncatedButtons(formRow)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await formRow.locator('.card-header').scrollIntoViewIfNeeded();
    await shot(page, '16-phone-form');
    await form.locator('button').last().scrollIntoViewIfNeeded();
    await shot(page, '17-phone-form-buttons');

    // The coordinator on a phone: the progress card fits (its table scrolls inside the card).
    await page.locator('#back-button').tap();
    await switchPersona(page, coordinator.openId, coordinator.name);
    await page.locator(`.chat-item[data-chat-id="${office}"]`).tap();
    const progress = cardRow(page, '申报进度');
    await progress.waitFor();
    expect(await overflowing(page, page.locator('#message-list'))).toEqual([]);
    expect(await truncatedButtons(progress)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await progress.scrollIntoViewIfNeeded();
    await shot(page, '18-phone-progress');

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
