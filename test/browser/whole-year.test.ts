// Issue 13's whole campaign year, played in the workspace in Chromium the way a county plays it, by
// visible text only (commands typed in the chat box, buttons by their label): the coordinator launches;
// two units submit, one gets an extension; 发布计划 before the deadline warns (who has not submitted, who
// holds an extension) and closes nothing unless confirmed; after the deadline the plan is published and
// 申报 closes; 重新开放 lets a unit really submit again; exports open from the workspace as files;
// summaries count a LOGO photo; evaluation warns when judges or summaries are too few.
// The app's clock is moved between the seasons (never the wall clock). A sequential story.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DEMO_OFFICE, DEMO_UNITS } from '../../src/domain/demo-directory.ts';
import { atShanghai, formatChineseDate } from '../../src/domain/time.ts';
import { STORY, waitUntil } from '../support/kit.ts';
import {
  LOCAL_APP_START,
  SKIP_BROWSER,
  campaignDates,
  cardRow,
  confirmDialog,
  movableClock,
  openBotChat,
  openChat,
  openScreen,
  openSubmissionForm,
  sayToBot,
  shot,
  startLocalApp,
  switchPersona,
  toast,
  type LocalApp,
  type Screen,
} from './support.ts';

const coordinator = { openId: DEMO_OFFICE.coordinator.openId, name: DEMO_OFFICE.coordinator.name };
const office = DEMO_OFFICE.chatId;
const unit = (name: string) => {
  const u = DEMO_UNITS.find((x) => x.name === name)!;
  return { name: u.name, chatId: u.chatId, openId: u.liaisons[0]!.openId!, liaison: u.liaisons[0]!.name };
};
const xingsha = unit('星沙街道');
const xianglong = unit('湘龙街道');
const quantang = unit('泉塘街道');
const langli = unit('榔梨街道');
const songya = unit('松雅湖街道');
const unitCount = DEMO_UNITS.length;
/** A 1×1 PNG: the activity photo (the workspace sends it as an image message). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
// The app starts on Tuesday 2026-03-10: the campaign year is 2026, the plan's deadline 04-07.
const { year, deadline, months } = campaignDates(LOCAL_APP_START);

const THEMES = {
  xingsha: { title: '优化营商环境政策面对面', month: months[0], forms: ['forum', 'policy'], intro: '邀请企业代表、人大代表和政协委员座谈，解读今年出台的优化营商环境政策，现场听取意见建议并答复。' },
  xianglong: { title: '“一件事一次办”现场体验', month: months[1], forms: ['observe'], intro: '邀请企业和群众代表到政务服务中心体验“一件事一次办”，现场观摩办理流程，收集改进意见。' },
  langli: { title: '乡村振兴项目实地调研', month: months[1], forms: ['survey'], intro: '组织人大代表、政协委员和村民代表实地走访乡村振兴重点项目，介绍资金使用和项目进展，听取意见建议。' },
};

describe.skipIf(SKIP_BROWSER)('a whole campaign year in the workspace (issue 13)', STORY, () => {
  const clock = movableClock(LOCAL_APP_START);
  let local: LocalApp;
  let screen: Screen;
  let page: Page;

  /** The clock jumps to a later day of the year (10:00 Shanghai) and runs on from there. */
  const moveTo = (date: string) => clock.moveTo(atShanghai(date, '10:00'));

  async function as(who: { openId: string; name: string }, chatId: string | 'bot'): Promise<void> {
    await switchPersona(page, who.openId, who.name);
    if (chatId === 'bot') await openBotChat(page);
    else await openChat(page, chatId);
  }
  const liaisonOf = (u: ReturnType<typeof unit>) => ({ openId: u.openId, name: u.liaison });

  /**
   * Types `text` to the bot and returns the card that answers it: the first card titled `title` that was
   * not in the open chat before (an older card with the same title, e.g. yesterday's 申报进度, never stands in).
   */
  async function ask(text: string, title: string | RegExp, timeout = 30_000): Promise<Locator> {
    const rows = page.locator('#message-list [data-message-id]', { has: page.locator('.card-title', { hasText: title }) });
    const ids = () => rows.evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.messageId ?? ''));
    const before = new Set(await ids());
    await sayToBot(page, text);
    let id: string | undefined;
    await waitUntil(async () => (id = (await ids()).find((i) => !before.has(i))) !== undefined, timeout);
    return page.locator(`#message-list [data-message-id="${id}"]`);
  }

  /** The bot's last text reply in the open chat containing `text`. */
  async function botSays(text: string): Promise<string> {
    const bubble = page.locator('#message-list .msg:not(.mine) .bubble', { hasText: text }).last();
    await bubble.waitFor({ timeout: 30_000 });
    return (await bubble.textContent()) ?? '';
  }

  /** The liaison opens the form from the newest card in the unit group carrying 填写申报表, and submits one theme. */
  async function submitTheme(u: ReturnType<typeof unit>, t: (typeof THEMES)[keyof typeof THEMES]): Promise<void> {
    await as(liaisonOf(u), u.chatId);
    const withButton = page.locator('#message-list [data-message-id]', { has: page.locator('button', { hasText: '填写申报表' }) }).last();
    await withButton.waitFor({ timeout: 30_000 });
    const { formRow, formId, form } = await openSubmissionForm(page, withButton);
    await form.locator('input[name="theme_title"]').fill(t.title);
    await form.locator('select[name="theme_month"]').selectOption(String(t.month));
    await form.locator('.ms-box[data-name="theme_forms"]').click();
    for (const f of t.forms) await form.locator(`.ms-item[data-value="${f}"]`).click();
    await formRow.locator('.card-header').click();
    await form.locator('textarea[name="theme_intro"]').fill(t.intro);
    await form.locator('button[data-name="btn_submit"]').click();
    await page.locator(`#message-list [data-message-id="${formId}"] .card-title`, { hasText: '申报已提交' }).waitFor({ timeout: 30_000 });
  }

  /** The coordinator approves every pending theme of `u` on the 主题审核 card, by its 通过 buttons. */
  async function approveAll(u: ReturnType<typeof unit>, count: number): Promise<void> {
    await as(coordinator, office);
    const card = await ask(`审核 ${u.name}`, '主题审核');
    // The card counts 已通过 N and refreshes in place after each decision.
    const approved = async () => Number(/已通过\s*(\d+)/.exec((await card.textContent()) ?? '')?.[1] ?? NaN);
    const before = await approved();
    for (let i = 1; i <= count; i++) {
      await card
        .locator('form button', { hasText: /^通过$/ })
        .first()
        .click();
      await waitUntil(async () => (await approved()) === before + i, 30_000);
    }
  }

  /** 发布计划 typed in the office group: the confirmation card (its id, so later updates are followed). */
  async function publishCard() {
    await as(coordinator, office);
    return ask('发布计划', /^发布.*计划安排表$/);
  }

  /** Clicks the newest file bubble whose name contains `name`: the download must succeed and be an xlsx (a zip: PK). */
  async function downloadXlsx(name: string): Promise<string> {
    const bubble = page.locator('#message-list a.bubble-file', { hasText: name }).filter({ hasText: '.xlsx' }).last();
    await bubble.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), bubble.click()]);
    expect(await download.failure()).toBeNull();
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(bytes.length).toBeGreaterThan(1000);
    return (await bubble.getAttribute('download')) ?? '';
  }

  beforeAll(async () => {
    // No link checks: the test machine has no way out (the check itself is tested in test/summaries).
    local = await startLocalApp({ clock, env: { EVIDENCE_CHECK_LINKS: 'false' } });
    screen = await openScreen(local, 'desktop');
    page = screen.page;
  });
  // A failed step leaves what the screen showed: a screenshot and the end of the open chat.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    await shot(page, `year-failed-${ctx.task.name.split(':')[0]}`).catch(() => undefined);
    const tail = (
      (await page
        .locator('#message-list')
        .innerText()
        .catch(() => '')) ?? ''
    ).slice(-1500);
    console.warn(`[whole-year] failed in ${ctx.task.name}; the open chat ends with:\n${tail}`);
  });
  afterAll(async () => {
    await screen?.context.close().catch(() => undefined);
    await local?.stop();
  });

  it('March: the coordinator launches; two units submit, a third is granted an extension', async () => {
    await as(coordinator, office);
    const launch = await ask('发起申报', `发起 ${year} 年主题申报`);
    await launch.locator('input[name="launch_deadline"]').fill(deadline);
    await launch.locator('button', { hasText: '确认发起' }).click();
    await confirmDialog(page, '确认发起申报');
    // Launching writes a notice per unit; a loaded machine may answer 正在处理 first: wait for the notice itself.
    await as(liaisonOf(xingsha), xingsha.chatId);
    await cardRow(page, `关于申报长沙县${year}年`).waitFor({ timeout: 60_000 });

    await submitTheme(xingsha, THEMES.xingsha);
    await submitTheme(xianglong, THEMES.xianglong);

    await as(coordinator, office);
    await sayToBot(page, `延期 ${quantang.name} ${year}-04-14`);
    expect(await botSays(`已将${quantang.name}的申报截止日期延长至 ${year}-04-14`)).toContain('已通知该单位工作群');
    const progress = await ask('进度', '申报进度');
    await progress.locator('.card-title-tags', { hasText: `2/${unitCount}` }).waitFor();
    await shot(page, 'year-01-progress');
  }, 240_000);

  it('April 3: 发布计划 before the deadline warns who has not submitted and who holds an extension; nothing closes unconfirmed', async () => {
    await approveAll(xingsha, 1);
    await approveAll(xianglong, 1);
    moveTo(`${year}-04-03`);
    const confirm = await publishCard();
    const text = (await confirm.textContent()) ?? '';
    expect(text).toContain(`申报截止日 ${formatChineseDate(deadline)} 还没到`);
    // Who has not submitted (the unit holding an extension is told apart), and what early closing would do.
    expect(text).toContain(`${unitCount - 3} 个单位未提交，截止后将不能再提交`);
    expect(text).toContain(langli.name);
    expect(text).toContain(`${quantang.name}（未提交）持有延期至 ${year}年4月14日`);
    await shot(page, 'year-02-early-publish');
    // The early close asks first; cancelled, and the coordinator goes back to the schedule.
    await confirm.locator('button', { hasText: '发布并提前截止申报' }).click();
    const modal = page.locator('.modal.confirm', { hasText: '截止日还没到，确认提前截止申报？' });
    await modal.waitFor();
    await modal.locator('.mbtn', { hasText: '取消' }).click();
    await modal.waitFor({ state: 'detached' });
    await confirm.locator('button', { hasText: '返回编排' }).click();
    await confirm.locator('.card-title', { hasText: '（编排中）' }).waitFor();

    // 申报 is still open: 进度 says so, and a unit that had not submitted still can.
    const progress = await ask('进度', '申报进度');
    await progress.locator('.card-title-tags', { hasText: `2/${unitCount}` }).waitFor();
    expect(await progress.textContent()).toContain('申报中');
    await submitTheme(langli, THEMES.langli);
  }, 240_000);

  it('April 8: published after the deadline, 申报 closes; 重新开放 lets a unit really submit', async () => {
    await approveAll(langli, 1);
    moveTo(`${year}-04-08`);
    const confirm = await publishCard();
    expect(await confirm.textContent()).not.toContain('还没到');
    await confirm.locator('button', { hasText: '发布并截止申报' }).click();
    await confirmDialog(page, '确认发布并截止申报？');
    await confirm.locator('.card-title', { hasText: '计划安排表已发布' }).waitFor({ timeout: 60_000 });
    await (await ask('进度', '申报进度')).locator('.md', { hasText: '计划已发布' }).first().waitFor();

    // A unit without a submission is refused by the notice's button, until it is reopened.
    await as(liaisonOf(songya), songya.chatId);
    const notice = cardRow(page, `关于申报长沙县${year}年`);
    await notice.locator('button', { hasText: '填写申报表' }).click();
    await toast(page, '申报已截止');
    await as(coordinator, office);
    await sayToBot(page, `重新开放 ${songya.name}`);
    expect(await botSays(`已为${songya.name}重新开放申报至`)).toMatch(/星期[一二三四五]/);
    await submitTheme(songya, { title: '社会治理问卷调查与结果公开', month: months[1], forms: ['questionnaire'], intro: '面向辖区居民开展社会治理满意度问卷调查，公开调查结果和整改措施，邀请居民代表参与评议。' });
    await shot(page, 'year-03-reopened-submitted');
  }, 240_000);

  it('exports open from the workspace: the published plan and the 申报表 arrive as files that download', async () => {
    // The plan's Excel went to the office group when it was published.
    await as(coordinator, office);
    expect(await downloadXlsx('计划安排表')).toBe(`长沙县${year}年“政务公开主题日”活动计划安排表（第1版）.xlsx`);
    // Publishing freshened the March receipts where Feishu still allows it (14 days); the older ones stay
    // as sent, and that raises no red delivery alert in the office group.
    expect(await page.locator('#message-list .card-title', { hasText: '消息发送失败' }).count()).toBe(0);
    // 导出申报表 typed in the office group: the file comes in the private chat.
    await sayToBot(page, '导出申报表');
    // The file starts the coordinator's private chat with the bot: open it once the chat list shows it.
    // (the file message, then the 申报表已导出 card with its link: either is the chat's latest line).
    await page.locator('.chat-item:has(.badge-bot)', { hasText: /\[文件\]|申报表已导出/ }).waitFor({ timeout: 60_000 });
    await openBotChat(page);
    expect(await downloadXlsx('主题申报表')).toMatch(/^长沙县\d{4}年政务公开主题日活动主题申报表_\d{12}\.xlsx$/);
    await shot(page, 'year-04-exports');
  }, 240_000);

  it('May: a unit summarises its activity, marks a photo as its LOGO photo, and 总结进度 counts it', async () => {
    moveTo(`${year}-05-25`);
    await as(liaisonOf(xingsha), xingsha.chatId);
    const list = await ask('总结', '总结');
    await list.locator('button', { hasText: '填写总结' }).first().waitFor({ timeout: 30_000 });
    await list.locator('button', { hasText: '填写总结' }).first().click();
    const formRow = cardRow(page, `活动总结 · ${xingsha.name}`);
    await formRow.locator('form').waitFor({ timeout: 30_000 });
    const formId = await formRow.getAttribute('data-message-id');
    const row = page.locator(`#message-list [data-message-id="${formId}"]`);
    const form = row.locator('form');
    await form.locator('input[name="held_date_1"]').fill(`${year}-05-20`);
    await form.locator('.ms-box[data-name="forms_used"]').click();
    await form.locator('.ms-item[data-value="forum"]').click();
    await form.locator('.ms-item[data-value="policy"]').click();
    await row.locator('.card-header').click();
    for (const [k, n] of [
      ['p_npcDeputies', '3'],
      ['p_cppccMembers', '2'],
      ['p_experts', '1'],
      ['p_media', '4'],
      ['p_citizens', '36'],
    ] as const)
      await form.locator(`input[name="${k}"]`).fill(n);
    await form.locator('select[name="logo_shown"]').selectOption({ label: '是' });
    await form.locator('textarea[name="links_media"]').fill('https://www.csx.gov.cn/zwgk/ztr/202605/t20260521_123456.html');
    await form.locator('select[name="policy_released"]').selectOption({ label: '是' });
    await form.locator('input[name="opinions_count"]').fill('12');
    await form.locator('textarea[name="summary_text"]').fill('5月20日在星沙街道便民服务中心召开优化营商环境政策面对面座谈会，邀请人大代表、政协委员和36名企业群众代表参加，解读政策并现场答复问题。');
    await form.locator('textarea[name="experience"]').fill('会前征集企业问题清单，会上逐条回应，会后在政府网站专栏公开办理结果。');
    await form.locator('button', { hasText: '提交总结' }).click();
    await toast(page, '总结');
    // The form turns into the submitted summary, in place.
    await row.locator('button', { hasText: '修改总结' }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('现场 LOGO：有');

    // The photo, sent in the unit group; marked as the LOGO photo from the summary's 照片 button.
    await page.locator('#image-input').setInputFiles({ name: '座谈会现场LOGO.png', mimeType: 'image/png', buffer: PNG });
    await cardRow(page, '照片已收到')
      .locator('.md', { hasText: `已收到 1 张照片（「${THEMES.xingsha.title}」）` })
      .waitFor({ timeout: 30_000 });
    const again = await ask('总结', '总结');
    await again.locator('button', { hasText: '查看/修改' }).first().click();
    const photoButton = page.locator('#message-list button', { hasText: '照片 / 标记 LOGO 照片（1）' }).last();
    await photoButton.waitFor({ timeout: 30_000 });
    await photoButton.click();
    const photos = page.locator('#message-list [data-message-id]', { has: page.locator('button', { hasText: '标为 LOGO 照片' }) }).last();
    await photos.waitFor({ timeout: 30_000 });
    await photos.locator('button', { hasText: '标为 LOGO 照片' }).click();
    await toast(page, 'LOGO');
    await shot(page, 'year-05-logo-photo');

    await as(coordinator, office);
    const progress = await ask('总结进度', '总结进度');
    const line = progress.locator('.ctable tbody tr', { hasText: xingsha.name });
    await line.waitFor();
    expect(await line.textContent()).toContain('有·照片');
    await shot(page, 'year-06-summary-progress');
  }, 240_000);

  it('December: 开启评选 counts what can be scored; with one judge and one summary, publishing results warns with counts', async () => {
    moveTo(`${year}-12-01`);
    await as(coordinator, office);
    const opened = await ask('开启评选', '评选进度与排名');
    // The one summary of the year, beside the activities still without one.
    expect(await opened.textContent()).toMatch(/评选已开启：计划内 (\d+) 项活动，1 项已提交总结，可参评(；其余 \d+ 项提交总结后即参加评选，可用“总结进度”催办)?。/);

    // One judge, named from the unit directory (the office group does not hold them).
    const judge = liaisonOf(xianglong);
    await sayToBot(page, `添加评委 ${judge.name} ${xianglong.name}`);
    await botSays(`已添加评委 ${judge.name}（${xianglong.name}，回避本单位活动）`);

    // The judge scores the one summarised activity from the private chat.
    await as(judge, 'bot');
    const home = cardRow(page, '最佳政务公开主题日活动评分');
    await home.waitFor({ timeout: 30_000 });
    await home.locator('button', { hasText: '评下一项（剩 1 项）' }).click();
    const scoreRow = cardRow(page, `评分 · ${xingsha.name}`);
    await scoreRow.waitFor({ timeout: 30_000 });
    const scoreForm = scoreRow.locator('form');
    const inputs = scoreForm.locator('input[name^="c_"]');
    const labels = await scoreRow.locator('form').textContent();
    const maxima = [...(labels ?? '').matchAll(/（0–(\d+) 分/g)].map((m) => Number(m[1]));
    expect(maxima.length).toBe(await inputs.count());
    for (let i = 0; i < maxima.length; i++) await inputs.nth(i).fill(String(Math.round(maxima[i]! * 0.85)));
    await scoreForm.locator('textarea[name="comment"]').fill('座谈会组织规范，政策解读到位，意见答复及时公开。');
    await scoreForm.locator('button', { hasText: '提交评分' }).click();
    await toast(page, '评分');

    // The coordinator's ranking: before the results go out, the readiness warnings state the counts.
    await as(coordinator, office);
    const ranking = await ask('评选进度', '评选进度与排名');
    await ranking.locator('.md', { hasText: '公布前请注意' }).waitFor({ timeout: 30_000 });
    const text = (await ranking.textContent()) ?? '';
    expect(text).toContain('只有 1 位评委（建议至少 5 位');
    expect(text).toContain('3 项入选活动中只有 1 项提交了总结，其余 2 项不参加评选');
    await shot(page, 'year-07-readiness');
    // Publishing asks again, with the same counts; cancelled, nothing is announced.
    await ranking.locator('button', { hasText: '确认并公布' }).click();
    const modal = page.locator('.modal.confirm', { hasText: '评选尚未齐备，仍要公布？' });
    await modal.waitFor();
    expect(await modal.textContent()).toContain('只有 1 位评委');
    await modal.locator('.mbtn', { hasText: '取消' }).click();
    await modal.waitFor({ state: 'detached' });
    await as(liaisonOf(xingsha), xingsha.chatId);
    expect(await page.locator('#message-list .card-title', { hasText: '最佳政务公开主题日活动' }).count()).toBe(0);
    expect(screen.errors).toEqual([]);
  }, 240_000);
});
