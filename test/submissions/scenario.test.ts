// The 2023 collection end to end through the harness (real SDK over HTTP to the emulator, real
// database, fake clock): launch to 20 units, 15 submit (multi-theme, edits, a withdrawal and a
// resubmit), every validation message, refusals with audit rows, two liaisons at once, the
// deadline passing (late and missing units), the live progress card and the export files.
// Run twice: webhook pushes (local mode) and FEISHU_EVENT_MODE=ws, where every event and card
// callback travels over the emulator's long connection, which is also dropped once mid-campaign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import ExcelJS from 'exceljs';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness, type DemoUnitInfo } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { progressSnapshot } from '../../src/usecases/submissions/progress.ts';
import { buttonValue, cardText, clickForm, errorNotes, lastInteractive, waitUntil } from './support.ts';

const FORMS = ['survey', 'observe', 'forum', 'policy', 'questionnaire'] as const;
const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';

const CASES = PROVIDERS_UNDER_TEST.flatMap((provider) => (['webhook', 'ws'] as const).map((mode) => [provider, mode] as const));

// A sequential story: each test continues from the state the previous one left.
describe.each(CASES)('submission campaign end to end (%s, %s)', STORY, (provider, mode) => {
  let h: Harness;
  const clock = new FakeClock('2023-03-23T02:00:00Z'); // 10:00 in Shanghai, the notice date
  let units: DemoUnitInfo[];
  let coordinator: string;
  let office: string;
  let campaignId: string;

  const p2p = (openId: string) => h.emulator.p2pChatId(openId);
  const liaisonOf = (u: DemoUnitInfo, role = 'primary') => u.liaisons.find((l) => l.role === role)!.openId;
  const noticeOf = (u: DemoUnitInfo) => h.messages(u.chatId).find((m) => m.msgType === 'interactive' && cardText(m.card).includes('submission.open'))!;

  async function openForm(u: DemoUnitInfo, openId = liaisonOf(u), via?: { messageId: string; value: Record<string, unknown> }) {
    const notice = noticeOf(u);
    const r = await h.click(openId, via?.messageId ?? notice.messageId, via?.value ?? buttonValue(notice.card, { text: '填写申报表' }));
    await h.drainOutbox();
    return { r, form: lastInteractive(h.messages(p2p(openId))) };
  }

  function theme(title: string, month: number, forms: string[], intro = INTRO) {
    return { theme_title: title, theme_month: String(month), theme_forms: forms, theme_intro: intro };
  }

  async function submitThemes(u: DemoUnitInfo, themes: ReturnType<typeof theme>[], openId = liaisonOf(u)) {
    const { form } = await openForm(u, openId);
    expect(form, `form for ${u.name}`).toBeDefined();
    for (let i = 0; i < themes.length - 1; i++) {
      const r = await clickForm(h, openId, form!.messageId, { name: 'btn_save' }, themes[i]);
      expect(r.toast?.type, `${u.name} save ${i}: ${r.toast?.content}`).toBe('success');
    }
    const r = await clickForm(h, openId, form!.messageId, { name: 'btn_submit' }, { contact_phone: '0731-84875001', ...themes[themes.length - 1] });
    expect(r.toast?.type, `${u.name} submit: ${r.toast?.content}`).toBe('success');
    await h.drainOutbox();
    return r;
  }

  beforeAll(async () => {
    // ws: re-deliveries spaced so one lands after the reconnect (see the dropped-connection step).
    h = await startHarness({ provider, clock, mode, ...(mode === 'ws' ? { emulator: { redeliveryDelaysMs: [400, 2000, 4000] } } : {}) });
    coordinator = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    units = h.demo.units.slice(0, 20);
    // The campaign goes to 20 units: the rest of the demo directory is inactive this year.
    await h.db.unit.updateMany({ where: { id: { notIn: units.map((u) => u.id) } }, data: { active: false } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('launches from a prefilled card after refusing bad values', async () => {
    await h.say(coordinator, office, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(office))!;
    expect(validateCard(launch.card)).toEqual({ ok: true });
    const text = cardText(launch.card);
    for (const s of ['长沙县2023年“政务公开主题日”活动', '2023-03-23', '2023-04-07', '李成英', '0731-84872387', 'CSX84872387@163.com']) expect(text).toContain(s);

    const bad = await clickForm(h, coordinator, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '12345', launch_contact_email: 'not-an-email' });
    expect(bad.toast?.type).toBe('error');
    expect(errorNotes(bad.card)).toEqual(['联系电话格式不正确：请填写手机号或带区号的座机号', '邮箱格式不正确，例如 CSX84872387@163.com']);
    expect(cardText(bad.card)).toContain('not-an-email'); // what was typed is kept
    expect(await h.db.campaign.count()).toBe(0);

    const ok = await clickForm(h, coordinator, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' });
    expect(ok.error).toBeUndefined();
    expect(ok.toast?.type).toBe('success');
    await h.drainOutbox();
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } });
    campaignId = campaign.id;
    expect(campaign).toMatchObject({ status: 'collecting', deadline: '2023-04-07', noticeDate: '2023-03-23', launchedBy: coordinator });
    expect(await h.db.submission.count({ where: { campaignId, status: 'pending' } })).toBe(20);
    for (const u of units) {
      const notice = noticeOf(u);
      expect(notice, u.name).toBeDefined();
      expect(validateCard(notice.card)).toEqual({ ok: true });
      const t = cardText(notice.card);
      for (const s of ['实地调研', '现场观摩', '座谈交流', '政策发布', '问卷调查', '2023年4月7日', '0731-84872387', '填写申报表']) expect(t).toContain(s);
    }
    expect(h.messages(h.demo.units[25]!.chatId).some((m) => cardText(m.card).includes('submission.open'))).toBe(false);
    // A liaison cannot launch (or relaunch) by forging the button's value on a card they can see.
    const forged = await h.click(liaisonOf(units[0]!), noticeOf(units[0]!).messageId, { a: 'sub.launch', y: 2023 });
    expect(forged.toast?.content).toContain('只有县政务公开办的协调人');
    const denied = await h.db.auditLog.count({ where: { action: { in: ['campaign.launch', 'submission.launch'] }, decision: 'deny' } });
    expect(denied).toBeGreaterThanOrEqual(2);
  });

  it('sends a live progress card on 进度', async () => {
    await h.say(coordinator, office, '进度');
    await h.drainOutbox();
    const card = lastInteractive(h.messages(office))!;
    expect(validateCard(card.card)).toEqual({ ok: true });
    expect(cardText(card.card)).toContain('0/20');
    expect(await h.db.trackedCard.count({ where: { purpose: `progress:${campaignId}:${office}` } })).toBe(1);
  });

  it.runIf(mode === 'ws')('the long connection drops: a message sent meanwhile is re-delivered after the reconnect and answered once', async () => {
    const lc = h.emulator.longConnection;
    const before = lc.handshakes;
    const cardsBefore = h.messages(office).filter((m) => m.msgType === 'interactive').length;
    lc.drop({ refuse: true });
    const sent = await h.emulator.userSendText(coordinator, office, '进度', { mentionBot: true });
    expect(sent.delivery.status).toBe('failed');
    const failed = () => h.emulator.deliveries().filter((d) => d.eventId === sent.delivery.eventId && !d.ok).length;
    await waitUntil(() => failed() >= 2); // the first re-delivery fails too
    lc.refuse(false);
    await lc.waitForConnection(10_000);
    expect(lc.handshakes).toBe(before + 1);
    const delivered = () => h.emulator.deliveries().some((d) => d.eventId === sent.delivery.eventId && d.ok && d.attempt > 1);
    await waitUntil(delivered, 15_000);
    await waitUntil(async () => (await h.db.processedEvent.count({ where: { eventId: `msg:${sent.messageId}` } })) === 1);
    await h.drainOutbox();
    // Re-delivered and backfilled, processed once: one answer. Every later step clicks cards over the new connection.
    expect(h.messages(office).filter((m) => m.msgType === 'interactive').length).toBe(cardsBefore + 1);
    expect(cardText(lastInteractive(h.messages(office))!.card)).toContain('0/20');
  });

  it('a group bound while the campaign is collecting gets its notice', async () => {
    const u = units[19]!;
    const chat = h.emulator.createChat({ name: `${u.name}政务公开新群`, memberOpenIds: [coordinator, liaisonOf(u)], botMember: false });
    await h.emulator.addBotToChat(chat.chatId, coordinator);
    await h.emulator.idle();
    await h.drainOutbox();
    const ask = lastInteractive(h.messages(chat.chatId))!;
    expect(cardText(ask.card)).toContain(`应是 **${u.name}** 的工作群`);
    const ok = await clickForm(h, coordinator, ask.messageId, { name: 'btn_bind_unit' });
    expect(ok.toast?.content).toContain('已补发2023年申报通知');
    await h.drainOutbox();
    const notice = h.messages(chat.chatId).find((m) => cardText(m.card).includes('submission.open'));
    expect(notice).toBeDefined();
    expect(await h.db.submission.count({ where: { campaignId, unitId: u.id } })).toBe(1);
  });

  it('checks every field and keeps what was typed', async () => {
    const u = units[0]!;
    const me = liaisonOf(u);
    const { r, form } = await openForm(u);
    expect(form, 'the form card reached the liaison').toBeDefined();
    expect(r.toast?.content).toContain('私聊');
    expect(validateCard(form!.card)).toEqual({ ok: true });
    const id = form!.messageId;
    const cases: [Record<string, unknown>, string[]][] = [
      [theme('', 5, ['forum']), ['请填写活动主题']],
      [theme('这是一个非常非常长的活动主题名称，超过了申报表允许的四十个字的上限，需要精简一些才可以', 5, ['forum']), ['活动主题不能超过 40 个字（现在 43 个字，请删减 3 个字）']],
      [theme('政策面对面', 0, ['forum']), ['请选择活动时间（月份）']],
      [theme('政策面对面', 2, ['forum']), ['2月已经过去，请选择3月或以后的月份']],
      [theme('政策面对面', 5, []), ['请至少选择一种活动形式']],
      [theme('政策面对面', 5, ['forum', 'dance']), ['活动形式只能从列出的五种中选择']],
      [theme('政策面对面', 5, ['forum'], '太短了'), ['活动简介至少 20 个字（现在 3 个字），请写明活动内容、对象和方式']],
      [theme('政策面对面', 5, ['forum'], '长'.repeat(501)), ['活动简介不能超过 500 个字（现在 501 个字，请删减 1 个字）']],
    ];
    for (const [values, expected] of cases) {
      const res = await clickForm(h, me, id, { name: 'btn_save' }, { ...values, theme_month: values.theme_month === '0' ? '' : values.theme_month });
      expect(res.toast?.type).toBe('error');
      expect(errorNotes(res.card)).toEqual(expected);
      if (values.theme_title) expect(cardText(res.card)).toContain(String(values.theme_title).slice(0, 10));
    }
    // contact: name and phone
    const badPhone = await clickForm(h, me, id, { name: 'btn_submit' }, { contact_name: '', contact_phone: '8487', ...theme('政策面对面', 5, ['forum']) });
    expect(errorNotes(badPhone.card)).toEqual(['请填写联系人姓名', '联系电话格式不正确：请填写 11 位手机号或带区号的座机号（如 0731-84872387）']);
    expect(badPhone.toast?.type).toBe('error');
    // the theme was valid, so it was kept as saved even though the submit was refused
    expect(cardText(badPhone.card)).toContain('已保存的主题（1）');
    // duplicate title (case/space-insensitive)
    const dup = await clickForm(h, me, id, { name: 'btn_save' }, { contact_name: '周晓燕', contact_phone: '13812345678', ...theme(' 政策 面对面 ', 6, ['policy']) });
    expect(errorNotes(dup.card)).toEqual(['本单位已有同名的活动主题，请修改主题名称']);
    // delete the saved theme, then submitting nothing is refused
    const del = await clickForm(h, me, id, { name: 'btn_del_0' }, theme('', 0, [], ''));
    expect(del.toast?.type).toBe('success');
    const empty = await clickForm(h, me, id, { name: 'btn_submit' }, { ...theme('', 0, [], ''), theme_month: '' });
    expect(errorNotes(empty.card)).toEqual(['请至少填写一个活动主题']);
    const rows = await h.db.auditLog.count({ where: { action: 'submission.submit', decision: 'deny' } });
    expect(rows).toBeGreaterThanOrEqual(2);
    expect(await h.db.submission.count({ where: { campaignId, status: 'submitted' } })).toBe(0);
    // escaping: markdown/mention injection stays inert in the re-rendered card
    const inj = await clickForm(h, me, id, { name: 'btn_save' }, theme('<at id=all></at>**粗体**', 7, ['forum']));
    expect(inj.toast?.type).toBe('success');
    expect(cardText(inj.card)).not.toContain('<at id=all>');
    await clickForm(h, me, id, { name: 'btn_del_0' }, theme('', 0, [], ''));
  });

  it('refuses outsiders and liaisons of other units, with audit rows', async () => {
    const a = units[0]!;
    const b = units[1]!;
    const notice = noticeOf(a);
    // a group member who is not a liaison (the unit's leader)
    const leader = a.leaderOpenId!;
    const r1 = await h.click(leader, notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
    expect(r1.toast?.content).toContain(`只有${a.name}的联系人可以填报`);
    // a liaison of another unit forging the value from their own group's card
    const bNotice = noticeOf(b);
    const sA = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: a.id } });
    const r2 = await h.click(liaisonOf(b), bNotice.messageId, { a: 'sub.open', s: sA.id });
    expect(r2.toast?.content).toContain(`你是${b.name}的联系人，不能代${a.name}填报`);
    const r3 = await h.click(liaisonOf(b), bNotice.messageId, { a: 'sub.form', s: sA.id, v: 0, op: 'submit' });
    expect(r3.toast?.type).toBe('error');
    const denies = await h.db.auditLog.findMany({ where: { entity: 'Submission', entityId: sA.id, decision: 'deny', actorOpenId: { in: [leader, liaisonOf(b)] } } });
    expect(denies.length).toBe(3);
    expect(await h.db.submission.count({ where: { campaignId, status: 'submitted' } })).toBe(0);
  });

  it('15 units submit, some with three themes, some edit; the progress card is patched in place', async () => {
    const progressMsg = lastInteractive(h.messages(office).filter((m) => cardText(m.card).includes('申报进度')))!;
    const before = h.emulator.message(progressMsg.messageId)!.updateCount;
    for (let i = 0; i < 15; i++) {
      const u = units[i]!;
      const n = i % 3 === 0 ? 3 : i % 3 === 1 ? 1 : 2;
      const themes = Array.from({ length: n }, (_, k) => theme(`${u.name}主题${k + 1}`, 4 + ((i + k) % 9), [FORMS[(i + k) % 5]!, FORMS[(i + k + 2) % 5]!]));
      if (i === 2) themes[0] = theme('=HYPERLINK("http://evil","点我")', 6, ['policy']);
      await submitThemes(u, themes);
    }
    expect(await h.db.submission.count({ where: { campaignId, status: 'submitted' } })).toBe(15);
    const receipt = lastInteractive(h.messages(units[0]!.chatId))!;
    expect(validateCard(receipt.card)).toEqual({ ok: true });
    expect(cardText(receipt.card)).toContain('申报回执');
    expect(cardText(receipt.card)).toContain(`${units[0]!.name}主题3`);
    expect(cardText(receipt.card)).toContain('0731-****5001'); // masked in the group
    expect(h.emulator.message(progressMsg.messageId)!.updateCount).toBeGreaterThan(before);
    expect(cardText(h.emulator.message(progressMsg.messageId)!.card)).toContain('15/20');

    // an edit: unit 4 changes its only theme's month and adds one
    const u = units[4]!;
    const me = liaisonOf(u);
    const rec = lastInteractive(h.messages(u.chatId))!;
    await h.click(me, rec.messageId, buttonValue(rec.card, { text: '修改' }));
    await h.drainOutbox();
    const form = lastInteractive(h.messages(p2p(me)))!;
    expect(cardText(form.card)).toContain(`${u.name}主题1`);
    // 编辑, change the month, think better of it (取消修改), then edit again for real
    await clickForm(h, me, form.messageId, { name: 'btn_edit_0' });
    const cancelled = await clickForm(h, me, form.messageId, { name: 'btn_cancel' }, { theme_month: '10' });
    expect(cancelled.toast?.content).toBe('已取消修改，第 1 个主题保持原样');
    expect(cardText(h.emulator.message(form.messageId)!.card)).not.toContain('取消修改');
    await clickForm(h, me, form.messageId, { name: 'btn_edit_0' });
    await clickForm(h, me, form.messageId, { name: 'btn_save' }, { theme_month: '11' });
    const sub = await clickForm(h, me, form.messageId, { name: 'btn_submit' }, theme(`${u.name}新增主题`, 12, ['questionnaire']));
    expect(sub.toast?.type).toBe('success');
    await h.drainOutbox();
    const s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { themes: { orderBy: { seq: 'asc' } }, revisions: true } });
    expect(s.version).toBe(2);
    expect(s.themes.filter((t) => t.state === 'active').map((t) => [t.title, t.month, t.version])).toEqual([
      [`${u.name}主题1`, 11, 2],
      [`${u.name}新增主题`, 12, 1],
    ]);
    expect(s.revisions.map((r) => r.action).sort()).toEqual(['edit', 'submit']);
    expect(await h.db.themeVersion.count({ where: { themeId: s.themes[0]!.id } })).toBe(2);
  });

  it('修改 then 提交 with nothing changed keeps the version: no new receipt, the form stays open', async () => {
    const u = units[1]!;
    const me = liaisonOf(u);
    const receipts = () => h.messages(u.chatId).filter((m) => cardText(m.card).includes('申报回执')).length;
    const before = receipts();
    const rec = lastInteractive(h.messages(u.chatId))!;
    await h.click(me, rec.messageId, buttonValue(rec.card, { text: '修改' }));
    await h.drainOutbox();
    const form = lastInteractive(h.messages(p2p(me)))!;
    const same = await clickForm(h, me, form.messageId, { name: 'btn_submit' });
    expect(same.toast?.type).toBe('info');
    expect(same.toast?.content).toContain('内容与已提交的第 1 版相同，未生成新版本');
    expect(cardText(same.card)).toContain('未生成新版本');
    await h.drainOutbox();
    const s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { revisions: true } });
    expect(s.version).toBe(1);
    expect(s.revisions.map((r) => r.action)).toEqual(['submit']);
    expect(receipts()).toBe(before);
    // a real change from the same form makes 第 2 版
    const changed = await clickForm(h, me, form.messageId, { name: 'btn_submit' }, { contact_phone: '13912345678' });
    expect(changed.toast?.type).toBe('success');
    await h.drainOutbox();
    expect((await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id } })).version).toBe(2);
    expect(receipts()).toBe(before + 1);
  });

  it('two liaisons editing at once: the stale one is refused and shown the newer version', async () => {
    const u = units[0]!; // 星沙街道 has a backup liaison
    const a = liaisonOf(u, 'primary');
    const b = liaisonOf(u, 'backup');
    const rec = lastInteractive(h.messages(u.chatId))!;
    await h.click(a, rec.messageId, buttonValue(rec.card, { text: '修改' }));
    await h.click(b, rec.messageId, buttonValue(rec.card, { text: '修改' }));
    await h.drainOutbox();
    const fa = lastInteractive(h.messages(p2p(a)))!;
    const fb = lastInteractive(h.messages(p2p(b)))!;
    await clickForm(h, a, fa.messageId, { name: 'btn_edit_1' });
    const ra = await clickForm(h, a, fa.messageId, { name: 'btn_submit' }, { theme_title: 'A改过的主题' });
    expect(ra.toast?.type).toBe('success');
    await clickForm(h, b, fb.messageId, { name: 'btn_edit_0' });
    const rb = await clickForm(h, b, fb.messageId, { name: 'btn_submit' }, { theme_title: 'B改过的主题' });
    expect(rb.toast?.type).toBe('error');
    expect(rb.toast?.content).toContain('已被更新为第 2 版');
    const t = cardText(rb.card);
    expect(t).toContain('本单位的申报已被更新为第 2 版');
    expect(t).toContain('周晓燕'); // who submitted the newer version
    expect(t).toContain('A改过的主题'); // its themes
    expect(t).toContain('B改过的主题'); // B's typing is kept
    const s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { themes: { where: { state: 'active' } } } });
    expect(s.version).toBe(2);
    expect(s.themes.map((x) => x.title)).toContain('A改过的主题');
    expect(s.themes.map((x) => x.title)).not.toContain('B改过的主题');
    expect(await h.db.auditLog.count({ where: { action: 'submission.submit', decision: 'deny', actorOpenId: b, reason: { startsWith: 'stale' } } })).toBe(1);
    // The override's confirm names whose version it replaces.
    const named = (node: unknown, name: string): { confirm?: { text: { content: string } } } | undefined => {
      if (Array.isArray(node)) return node.map((n) => named(n, name)).find(Boolean);
      if (!node || typeof node !== 'object') return undefined;
      return (node as { name?: unknown }).name === name ? (node as never) : named(Object.values(node), name);
    };
    expect(named(rb.card, 'btn_rebase')?.confirm?.text.content).toContain('将用你填写的内容替换周晓燕提交的第 2 版');
    // Loading the newer version replaces what B typed: asked first, not done silently.
    expect(named(rb.card, 'btn_reload')?.confirm?.text.content).toContain('将换成第 2 版，你未提交的内容不再保留');
    // B takes the newer version as the base and submits deliberately
    await clickForm(h, b, fb.messageId, { name: 'btn_rebase' });
    const again = await clickForm(h, b, fb.messageId, { name: 'btn_submit' });
    expect(again.toast?.type).toBe('success');
    const s3 = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { themes: { where: { state: 'active' } } } });
    expect(s3.version).toBe(3);
    expect(s3.themes.map((x) => x.title)).toContain('B改过的主题');
  });

  it('withdraws and resubmits', async () => {
    const u = units[5]!;
    const me = liaisonOf(u);
    await h.drainOutbox();
    const rec = lastInteractive(h.messages(u.chatId))!;
    const withdrawValue = buttonValue(rec.card, { text: '撤回' });
    const w = await h.click(me, rec.messageId, withdrawValue);
    expect(w.toast?.type).toBe('success');
    await h.drainOutbox();
    let s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { themes: true } });
    expect(s.status).toBe('withdrawn');
    expect(s.themes.every((t) => t.state === 'removed')).toBe(true);
    const snap = await progressSnapshot(h.db, campaignId);
    expect(snap.submitted).toBe(14);
    expect(snap.withdrawnUnits).toEqual([u.name]);
    // the old receipt is updated in place without buttons, and its 撤回 (from a client that has
    // not refreshed yet) is refused
    expect(cardText(h.emulator.message(rec.messageId)!.card)).toContain('申报回执（已被取代）');
    const stale = await h.click(me, rec.messageId, withdrawValue);
    expect(stale.toast?.type).not.toBe('success');
    // resubmit from the withdrawal card (themes prefilled)
    const wcard = lastInteractive(h.messages(u.chatId))!;
    expect(cardText(wcard.card)).toContain('申报已撤回');
    await h.click(me, wcard.messageId, buttonValue(wcard.card, { text: '重新填写申报表' }));
    await h.drainOutbox();
    const form = lastInteractive(h.messages(p2p(me)))!;
    const r = await clickForm(h, me, form.messageId, { name: 'btn_submit' });
    expect(r.toast?.type).toBe('success');
    s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u.id }, include: { themes: { where: { state: 'active' } } } });
    expect(s.status).toBe('submitted');
    expect(s.themes.length).toBeGreaterThan(0);
    expect(s.late).toBe(false);
  });

  it('after the deadline: closed, extended and reopened units, late marks', async () => {
    const [extended, reopened, closed] = [units[15]!, units[16]!, units[17]!];
    await h.say(coordinator, office, `延期 ${extended.name} 2023-04-14`);
    clock.set('2023-04-08T01:00:00Z'); // 09:00 the day after the deadline
    const { r } = await openForm(closed);
    expect(r.toast?.content).toContain('已于 2023年4月7日（星期五） 截止');
    expect(await h.db.auditLog.count({ where: { action: 'submission.open', decision: 'deny', actorOpenId: liaisonOf(closed) } })).toBe(1);
    await submitThemes(extended, [theme('延期单位主题', 9, ['survey'])]);
    // a non-coordinator cannot reopen
    await h.say(liaisonOf(closed), closed.chatId, `重新开放 ${reopened.name}`);
    expect(await h.db.submission.count({ where: { campaignId, unitId: reopened.id, reopenedUntil: { not: null } } })).toBe(0);
    await h.say(coordinator, office, `重新开放 ${reopened.name} 至 2023-04-12`);
    await h.drainOutbox();
    await submitThemes(reopened, [theme('补报主题', 10, ['observe'])]);
    const subs = await h.db.submission.findMany({ where: { campaignId, unitId: { in: [extended.id, reopened.id] } }, include: { unit: true } });
    expect(Object.fromEntries(subs.map((s) => [s.unit.name, s.late]))).toEqual({ [extended.name]: false, [reopened.name]: true });
    const snap = await progressSnapshot(h.db, campaignId);
    expect(snap.submitted).toBe(17);
    expect(snap.late).toEqual([reopened.name]);
    expect(snap.missing).toEqual(units.slice(17).map((u) => u.name));
    expect(snap.byForm.reduce((a, f) => a + f.count, 0)).toBeGreaterThan(snap.themeCount);
    // the reopened unit's receipt shows no edit buttons once its window closes
    clock.set('2023-04-13T01:00:00Z');
    const after = await openForm(reopened);
    expect(after.r.toast?.type).toBe('error');
  });

  it('exports the 申报表 as XLSX and CSV privately to the coordinator (full phone numbers)', async () => {
    const progress = lastInteractive(h.messages(office).filter((m) => cardText(m.card).includes('申报进度')))!;
    const r = await h.click(coordinator, progress.messageId, buttonValue(progress.card, { text: '导出申报表' }));
    expect(r.toast?.content).toContain('正在生成申报表');
    expect(r.error).toBeUndefined(); // answered inside Feishu's 3 s window; the files follow
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'file' } })) === 2);
    await h.drainOutbox();
    expect(h.messages(office).filter((m) => m.msgType === 'file')).toEqual([]);
    const files = h.messages(h.emulator.p2pChatId(coordinator)).filter((m) => m.msgType === 'file');
    expect(files.map((f) => f.fileName?.split('.').pop())).toEqual(['xlsx', 'csv']);
    const uploads = h.emulator.uploadedFiles().filter((f) => f.owner === 'app');
    const xlsx = uploads.find((f) => f.name.endsWith('.xlsx'))!;
    const csv = uploads.find((f) => f.name.endsWith('.csv'))!;
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.toString('utf8')).toContain('\r\n');
    expect(csv.bytes.toString('utf8')).toContain(`"'=HYPERLINK(""http://evil"",""点我"")"`);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const county = wb.getWorksheet('全县汇总')!;
    expect(county.getCell('A1').value).toBe('长沙县2023年“政务公开主题日”活动主题申报表');
    expect([1, 2, 3, 4, 5, 6].map((c) => county.getRow(3).getCell(c).value)).toEqual(['序号', '填报单位', '活动主题', '活动时间（月份）', '活动形式', '活动简介']);
    const u0 = units[0]!;
    const sheet = wb.getWorksheet(u0.name)!;
    expect(sheet.getCell('A1').value).toBe('长沙县2023年“政务公开主题日”活动主题申报表');
    expect(sheet.getCell('A2').value).toBe(`填报单位（公章）：${u0.name}`);
    const s0 = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: u0.id } });
    expect(sheet.getCell('A3').value).toBe('联系人：陈浩'); // the backup liaison submitted last
    expect(sheet.getCell('A4').value).toBe(`联系电话：${s0.contactPhone}`);
    expect([1, 2, 3, 4, 5].map((c) => sheet.getRow(5).getCell(c).value)).toEqual(['序号', '活动主题', '活动时间（月份）', '活动形式', '活动简介']);
    const themes = await h.db.theme.findMany({ where: { submission: { campaignId, unitId: u0.id }, state: 'active' }, orderBy: { seq: 'asc' } });
    themes.forEach((t, i) => {
      const row = sheet.getRow(6 + i);
      expect(row.getCell(1).value).toBe(String(t.seq));
      expect(row.getCell(2).value).toBe(t.title);
      expect(row.getCell(3).value).toBe(`${t.month}月`);
      expect(row.getCell(5).value).toBe(t.intro);
    });
    const injected = wb.getWorksheet(units[2]!.name)!.getRow(6).getCell(2);
    expect(injected.type).toBe(ExcelJS.ValueType.String);
    expect(injected.value).toBe('=HYPERLINK("http://evil","点我")');
    expect(wb.worksheets.length).toBe(1 + 17);
    // missing units are listed in the county sheet
    const countyText = county.getSheetValues().flat().map(String).join('|');
    expect(countyText).toContain(units[19]!.name);
    expect(countyText).toContain('未提交');
  });

  it('a campaign-wide extension lets everyone in again, and submitting inside it is on time', async () => {
    // 2023-04-30 falls in the 劳动节 holiday (04-29 – 05-03): the deadline lands on the next working day.
    await h.say(coordinator, office, '延期 2023-04-30');
    await h.drainOutbox();
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).deadline).toBe('2023-05-04');
    expect([...h.messages(office)].reverse().find((m) => m.msgType === 'text')!.text).toContain('已顺延至下一个工作日 2023年5月4日');
    expect(await h.db.auditLog.count({ where: { action: 'campaign.extend', entityId: campaignId, before: JSON.stringify({ deadline: '2023-04-07' }) } })).toBe(1);
    const missing = units[18]!;
    expect(h.messages(missing.chatId).some((m) => cardText(m.card).includes('申报截止时间已延长至 2023年5月4日'))).toBe(true);
    // submitted units are not re-notified
    expect(h.messages(units[0]!.chatId).some((m) => cardText(m.card).includes('申报截止时间已延长'))).toBe(false);
    await submitThemes(missing, [theme('延期后提交的主题', 8, ['forum'])]);
    const s = await h.db.submission.findFirstOrThrow({ where: { campaignId, unitId: missing.id } });
    expect(s).toMatchObject({ status: 'submitted', late: false });
    // an earlier or past date is refused
    await h.say(coordinator, office, '延期 2023-04-20');
    await h.drainOutbox();
    const last = [...h.messages(office)].reverse().find((m) => m.msgType === 'text')!;
    expect(last.text).toContain('新的截止日期应晚于当前截止日期 2023-05-04');
  });
});
