// Review end to end (real app + real SDK over HTTP to the emulator): 40 themes through the review
// card with every decision kind, the return → revise → approve loop with the diff, the history
// card, and people who may not review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { actionValues, cardText, currentCard, expectValidCard, lastBotCard, newClock, seedCampaign2023, type SeededTheme } from './support.ts';
import { clickForm, lastInteractive } from '../submissions/support.ts';

const HOSTILE_REASON = '主题请聚焦*具体*政策 <at id=all></at> [链接](http://x.cn)';

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('review (%s)', STORY, (provider) => {
  let h: Harness;
  let themes: SeededTheme[];
  let campaignId: string;
  let coord: string;
  let office: string;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: newClock() });
    ({ themes, campaignId } = await seedCampaign2023(h.db));
    coord = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('reviews 40 themes unit by unit with every decision kind', async () => {
    await h.say(coord, office, '审核');
    await h.drainOutbox();
    const { messageId, card: first } = lastBotCard(h, office);
    expectValidCard(first);
    expect(cardText(first)).toContain('待审核 **40**');

    // A return without a reason is refused and what was typed is kept.
    const firstDecide = actionValues(first, 'review.decide').find((v) => v.decision === 'return')!;
    const refused = await h.click(coord, messageId, firstDecide, { reason_0: '  ', fields_0: ['title'] });
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('退回修改须填写原因');
    const kept = currentCard(h, messageId);
    expectValidCard(kept);
    expect(cardText(kept)).toContain('"selected_values":["title"]');

    let n = 0;
    const decided = new Map<string, string>();
    for (let guard = 0; guard < 100 && decided.size < 40; guard++) {
      const card = currentCard(h, messageId);
      expectValidCard(card);
      const decide = actionValues(card, 'review.decide').filter((v) => v.decision === 'approve' && !decided.has(String(v.themeId)));
      if (decide.length === 0) {
        const next = actionValues(card, 'review.page').find((v) => v.dir === 'next');
        expect(next).toBeDefined();
        await h.click(coord, messageId, next!);
        continue;
      }
      const v = decide[0]!;
      const i = Number(v.index);
      const kind = n % 10 === 3 ? 'return' : n % 10 === 7 ? 'reject' : 'approve';
      const form: Record<string, unknown> = {};
      if (kind === 'return') Object.assign(form, { [`reason_${i}`]: n === 3 ? HOSTILE_REASON : '简介请补充活动对象和方式', [`fields_${i}`]: ['title', 'intro'] });
      if (kind === 'reject') form[`reason_${i}`] = '与年度重点工作关联不够紧密';
      const r = await h.click(coord, messageId, { ...v, decision: kind }, form);
      expect(r.error, r.errorDetail).toBeUndefined();
      expect(r.toast?.type).toBe('success');
      decided.set(String(v.themeId), kind);
      n++;
    }
    expect(decided.size).toBe(40);
    expect(cardText(currentCard(h, messageId))).toContain('待审核的主题已全部处理');

    const byStatus = await h.db.theme.groupBy({ by: ['reviewStatus'], _count: true });
    const count = (s: string) => byStatus.find((b) => b.reviewStatus === s)?._count ?? 0;
    expect(count('approved')).toBe(32);
    expect(count('returned')).toBe(4);
    expect(count('rejected')).toBe(4);
    expect(await h.db.reviewDecision.count()).toBe(40);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('reviewing');
    expect(await h.db.auditLog.count({ where: { action: { startsWith: 'review.' }, decision: 'allow' } })).toBe(40);

    // Each unit heard about its themes in its own group, with the reason made inert.
    await h.drainOutbox();
    const hostileTheme = themes.find((t) => decided.get(t.id) === 'return' && [...decided.keys()].indexOf(t.id) === 3)!;
    const unit = h.demo.units.find((u) => u.id === hostileTheme.unitId)!;
    const notices = h.messages(unit.chatId).filter((m) => m.senderType === 'app' && JSON.stringify(m.card).includes('主题审核结果'));
    expect(notices.length).toBe(themes.filter((t) => t.unitId === unit.id).length);
    const hostile = notices.map((m) => JSON.stringify(m.card)).find((c) => c.includes('退回修改'))!;
    expect(hostile).toContain('&lt;at id=all&gt;');
    expect(hostile).not.toContain('<at id=all>');
    expect(hostile).toContain('&#42;具体&#42;');
    expect(hostile).toContain('需修改：活动主题、活动简介');
    for (const m of notices) expectValidCard(m.card);
  });

  it('return → revise (validated) → resubmitted with a diff → approve; history kept', async () => {
    const returned = await h.db.theme.findFirstOrThrow({ where: { reviewStatus: 'returned' }, include: { submission: { select: { unitId: true } } } });
    // The unit tagged the theme with a 主题领域 when it submitted.
    await h.db.theme.update({ where: { id: returned.id }, data: { domains: '["营商环境"]' } });
    const unit = h.demo.units.find((u) => u.id === returned.submission.unitId)!;
    const liaison = unit.liaisons[0]!.openId;
    const notice = h
      .messages(unit.chatId)
      .filter((m) => m.senderType === 'app' && JSON.stringify(m.card).includes(returned.id))
      .pop()!;
    const open = actionValues(notice.card, 'review.revise_open')[0]!;

    // Only the unit's liaisons may revise: the coordinator (a member of the group) is refused.
    const stranger = await h.click(coord, notice.messageId, open);
    expect(stranger.toast?.type).toBe('error');
    expect(stranger.cardReplaced).toBe(false);
    expect(await h.db.auditLog.count({ where: { actorOpenId: coord, action: 'review.revise_open', decision: 'deny' } })).toBe(1);

    // The form opens in the liaison's private chat (as the submission form does): what is typed, and
    // the errors beside it, are not shown to the whole group, and the group keeps the office's notice.
    const opened = await h.click(liaison, notice.messageId, open);
    expect(opened.toast?.type).toBe('success');
    expect(opened.toast?.content).toBe('修改表已发到你与主题日助手的私聊，请在私聊中修改并重新提交');
    expect(opened.cardReplaced).toBe(false);
    await h.drainOutbox();
    expect(cardText(currentCard(h, notice.messageId))).toContain(returned.title);
    expect(actionValues(currentCard(h, notice.messageId), 'review.revise_open')).toHaveLength(1);
    const formMessage = lastInteractive(h.messages(h.emulator.p2pChatId(liaison)))!;
    const form = formMessage.card;
    expectValidCard(form);
    expect(cardText(form)).toContain('活动主题（不超过 40 字，需修改）');
    expect(cardText(form)).toContain('活动简介（20–500 字，需修改）');
    const submit = actionValues(form, 'review.revise_submit')[0]!;
    expect(submit.noticeMessageId).toBe(notice.messageId);

    // Too-short intro: refused, typed values kept next to the error.
    const bad = await h.click(liaison, formMessage.messageId, submit, { title: '新的主题名称', month: '9', forms: ['forum'], intro: '太短了' });
    expect(bad.toast?.type).toBe('error');
    const badCard = cardText(currentCard(h, formMessage.messageId));
    expect(badCard).toContain('新的主题名称');
    expect(badCard).toContain('活动简介至少 20 个字');
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: returned.id } })).version).toBe(1);

    // Sent back unchanged, or with only one of the two fields the reviewer marked: refused, field by field.
    const same = { title: returned.title, month: String(returned.month), forms: JSON.parse(returned.forms) as string[], intro: returned.intro };
    const unchanged = await h.click(liaison, formMessage.messageId, submit, same);
    expect(unchanged.toast?.type).toBe('error');
    expect(unchanged.toast?.content).toBe('退回意见要求修改“活动主题”，这一项还没有改动');
    expect(cardText(currentCard(h, formMessage.messageId))).toContain('退回意见要求修改“活动简介”，这一项还没有改动');
    const half = await h.click(liaison, formMessage.messageId, submit, { ...same, title: '只改了名称的主题' });
    expect(half.toast?.content).toBe('退回意见要求修改“活动简介”，这一项还没有改动');
    expect(cardText(currentCard(h, formMessage.messageId))).toContain('只改了名称的主题');
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: returned.id } })).version).toBe(1);
    // None of it reached the group's card.
    expect(cardText(currentCard(h, notice.messageId))).not.toContain('只改了名称的主题');

    // A second form, opened again from the group before the first was sent.
    expect((await h.click(liaison, notice.messageId, open)).toast?.type).toBe('success');
    await h.drainOutbox();
    const secondForm = lastInteractive(h.messages(h.emulator.p2pChatId(liaison)))!;
    expect(secondForm.messageId).not.toBe(formMessage.messageId);

    const newIntro = '围绕新出台的惠企政策，邀请企业代表和媒体座谈交流，现场解读政策要点并听取意见建议。';
    const ok = await h.click(liaison, formMessage.messageId, submit, { title: '惠企政策<座谈>交流会', month: '9', forms: ['forum'], intro: newIntro });
    expect(ok.toast?.type).toBe('success');
    expect(cardText(currentCard(h, formMessage.messageId))).toContain('已重新提交');
    // The other form is void now: sent, it is refused and closes rather than keeping its button.
    const late = await h.click(liaison, secondForm.messageId, actionValues(secondForm.card, 'review.revise_submit')[0]!, { title: '又一个名称', month: '9', forms: ['forum'], intro: newIntro });
    expect(late.toast?.type).toBe('warning');
    expect(late.toast?.content).toBe('该主题已重新提交，正在等待审核');
    const closed = currentCard(h, secondForm.messageId);
    expectValidCard(closed);
    expect(cardText(closed)).toContain('修改表已失效');
    expect(actionValues(closed, 'review.revise_submit')).toHaveLength(0);
    const after = await h.db.theme.findUniqueOrThrow({ where: { id: returned.id } });
    expect(after).toMatchObject({ version: 2, reviewStatus: 'pending', title: '惠企政策<座谈>交流会', month: 9 });
    expect(await h.db.themeVersion.count({ where: { themeId: returned.id } })).toBe(2);
    // 主题领域 are not on the revise form: the new version keeps the theme's.
    expect((await h.db.themeVersion.findUniqueOrThrow({ where: { themeId_version: { themeId: returned.id, version: 2 } } })).domains).toBe('["营商环境"]');

    // The office is told, with the diff; the group's notice now says the theme was resubmitted.
    await h.drainOutbox();
    const groupCard = currentCard(h, notice.messageId);
    expectValidCard(groupCard);
    expect(cardText(groupCard)).toContain('惠企政策&lt;座谈&gt;交流会');
    expect(actionValues(groupCard, 'review.revise_open')).toHaveLength(0);
    const told = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(told.card);
    expect(cardText(told.card)).toContain('退回的主题已重新提交');
    expect(cardText(told.card)).toContain('惠企政策&lt;座谈&gt;交流会');

    // The reviewer's card for that unit shows 原 → 新.
    const go = actionValues(told.card, 'review.page')[0]!;
    await h.click(coord, told.messageId, go);
    const reviewCard = currentCard(h, told.messageId);
    expectValidCard(reviewCard);
    const text = cardText(reviewCard);
    // Who resubmitted it, and when: the unit's 报送时间 above is the first submission's.
    expect(text).toMatch(new RegExp(`修改内容（v1 → v2，${unit.liaisons[0]!.name} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 重新提交）`));
    expect(text).toContain(`${returned.title} → **惠企政策&lt;座谈&gt;交流会**`);
    expect(text).toContain(`${returned.month}月 → **9月**`);
    const approve = actionValues(reviewCard, 'review.decide').find((v) => v.themeId === returned.id && v.decision === 'approve')!;
    expect(approve.version).toBe(2);
    const r = await h.click(coord, told.messageId, approve, {});
    expect(r.toast?.type).toBe('success');
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: returned.id } })).reviewStatus).toBe('approved');

    // A stale card (v1 button) is refused.
    const stale = await h.click(coord, told.messageId, { ...approve, version: 1 }, {});
    expect(stale.toast?.type).toBe('warning');

    // History: both decisions, the revision and both versions.
    const hist = actionValues(currentCard(h, told.messageId), 'review.history').find((v) => v.themeId === returned.id);
    const historyValue = hist ?? { a: 'review.history', t: returned.id, u: returned.submission.unitId, p: 0, fs: 'all', fk: 'all', fm: 0, ff: 'all' };
    await h.click(coord, told.messageId, historyValue);
    const history = cardText(currentCard(h, told.messageId));
    expectValidCard(currentCard(h, told.messageId));
    expect(history).toContain('退回修改（v1）');
    expect(history).toContain('修改并重新提交（v2）');
    expect(history).toContain('通过（v2）');
    expect(history).toContain('李成英');

    // The unit then puts the old title back through its submission (v3, back to review, as an
    // override from a stale form does): measured from the approved v2, not from the returned v1
    // (whose title it is), and so not 内容未改动.
    const v2 = await h.db.themeVersion.findUniqueOrThrow({ where: { themeId_version: { themeId: returned.id, version: 2 } } });
    await h.db.themeVersion.create({ data: { themeId: returned.id, version: 3, title: returned.title, month: v2.month, forms: v2.forms, intro: v2.intro, domains: v2.domains, actorOpenId: liaison } });
    await h.db.theme.update({ where: { id: returned.id }, data: { version: 3, title: returned.title, reviewStatus: 'pending' } });
    await h.click(coord, told.messageId, go);
    const reReview = cardText(currentCard(h, told.messageId));
    expect(reReview).toMatch(/修改内容（v2 → v3，/);
    expect(reReview).toContain(`惠企政策&lt;座谈&gt;交流会 → **${returned.title}**`);
    expect(reReview).not.toContain('内容未改动');
  });

  it('a 不采纳 theme on the form: the liaison sees the reason; unchanged it stays 不采纳, changed it is back for review and the office is told', async () => {
    const rejected = await h.db.theme.findFirstOrThrow({ where: { reviewStatus: 'rejected' }, include: { submission: true } });
    const unit = h.demo.units.find((u) => u.id === rejected.submission.unitId)!;
    const liaison = unit.liaisons[0]!.openId;
    // The unit holds an extension (申报 closed for the others on 4月7日).
    await h.db.submission.update({ where: { id: rejected.submissionId }, data: { deadlineOverride: '2023-04-20' } });
    await h.say(liaison, unit.chatId, '填写申报表');
    await h.drainOutbox();
    const form = lastInteractive(h.messages(h.emulator.p2pChatId(liaison)))!;
    expectValidCard(form.card);
    expect(cardText(form.card)).toContain(`未被采纳：「${rejected.title}」（与年度重点工作关联不够紧密）。修改后提交将重新送审；不修改则仍为不采纳。`);

    // Submitted again as it is: no new version, still 不采纳, nobody told.
    const officeCards = () => h.messages(office).filter((m) => m.senderType === 'app').length;
    const before = officeCards();
    const same = await clickForm(h, liaison, form.messageId, { name: 'btn_submit' });
    expect(same.toast?.content).toContain('未生成新版本');
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: rejected.id } })).reviewStatus).toBe('rejected');

    // Changed on the form: back to 待审核, and the office gets the card a revised theme gets, with the old reason.
    const index = (await h.db.theme.findMany({ where: { submissionId: rejected.submissionId, state: 'active' }, orderBy: { seq: 'asc' } })).findIndex((t) => t.id === rejected.id);
    await clickForm(h, liaison, form.messageId, { name: `btn_edit_${index}` });
    const newTitle = `${rejected.title.slice(0, 20)}（聚焦重点工作）`;
    const sent = await clickForm(h, liaison, form.messageId, { name: 'btn_submit' }, { theme_title: newTitle });
    expect(sent.toast?.type, sent.toast?.content).toBe('success');
    expect(await h.db.theme.findUniqueOrThrow({ where: { id: rejected.id } })).toMatchObject({ reviewStatus: 'pending', title: newTitle, version: 2 });
    await h.drainOutbox();
    expect(officeCards()).toBe(before + 1);
    const told = lastBotCard(h, office);
    expectValidCard(told.card);
    const text = cardText(told.card);
    expect(text).toContain('不采纳的主题已修改并重新提交');
    expect(text).toContain('原不采纳理由：与年度重点工作关联不够紧密');
    expect(text).toContain(`· 活动主题：${rejected.title} → **`);
    expect(actionValues(told.card, 'review.page')).toHaveLength(1);
    // 去审核: the theme is 待审核 v2, and the earlier 不采纳 is shown with its reason.
    await h.click(coord, told.messageId, actionValues(told.card, 'review.page')[0]!);
    const review = cardText(currentCard(h, told.messageId));
    expect(review).toContain('聚焦重点工作');
    expect(review).toMatch(/待审核<\/font>\u3000v2/);
    expect(review).toMatch(/不采纳：与年度重点工作关联不够紧密/);
  });

  it('refuses people who are not reviewers (with a deny audit) until the coordinator names them', async () => {
    const unit = h.demo.units[0]!;
    const liaison = unit.liaisons[0]!;
    const p2p = h.emulator.p2pChatId(liaison.openId);
    await h.say(liaison.openId, p2p, '审核');
    await h.drainOutbox();
    expect(
      h
        .messages(p2p)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('只有县政务公开办的协调人和指定的审核人');
    expect(await h.db.auditLog.count({ where: { actorOpenId: liaison.openId, action: 'review.open', decision: 'deny' } })).toBe(1);

    // A forged decision from a card the liaison can see (their group's notice) is refused.
    const notice = h
      .messages(unit.chatId)
      .filter((m) => m.senderType === 'app' && m.msgType === 'interactive')
      .pop()!;
    const target = themes.find((t) => t.unitId === unit.id)!;
    const refused = await h.click(liaison.openId, notice.messageId, { a: 'review.decide', t: target.id, v: 1, d: 'approve', i: 0, u: unit.id, p: 0 }, {});
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('只有县政务公开办的协调人和指定的审核人');
    expect(await h.db.auditLog.count({ where: { actorOpenId: liaison.openId, action: 'review.decide', decision: 'deny' } })).toBe(1);
    expect(await h.db.reviewDecision.count({ where: { reviewerOpenId: liaison.openId } })).toBe(0);

    // The coordinator names a reviewer in a chat they share; the reviewer may then review.
    const reviewer = { openId: 'ou_demo_reviewer_wang', name: '王审核' };
    h.emulator.addUser(reviewer);
    const chat = h.emulator.createChat({ name: '审核小组', memberOpenIds: [coord, reviewer.openId], botMember: true });
    await h.say(coord, chat.chatId, '添加审核人 @王审核');
    await h.drainOutbox();
    expect(
      h
        .messages(chat.chatId)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('已添加审核人：王审核');
    expect(await h.db.reviewer.count({ where: { campaignId, openId: reviewer.openId } })).toBe(1);
    const rp2p = h.emulator.p2pChatId(reviewer.openId);
    expect(h.messages(rp2p).find((m) => m.senderType === 'app')?.text).toContain('指定为“政务公开主题日”活动主题的审核人');
    await h.say(reviewer.openId, rp2p, '审核');
    await h.drainOutbox();
    const rc = lastBotCard(h, rp2p);
    expectValidCard(rc.card);
    const all = await h.click(reviewer.openId, rc.messageId, actionValues(rc.card, 'review.filter')[0]!, { status: 'all', kind: 'town', month: '0', form: 'all' });
    expect(all.toast).toBeUndefined();
    expect(cardText(currentCard(h, rc.messageId))).toContain('（镇）');

    // 审核 <单位>: straight to that unit with all its themes; an unknown name is explained.
    const directUnit = h.demo.units.find((u) => u.id === themes[5]!.unitId)!;
    await h.say(coord, office, `审核 ${directUnit.name}`);
    await h.drainOutbox();
    const direct = lastBotCard(h, office).card;
    expectValidCard(direct);
    expect(cardText(direct)).toContain(`**${directUnit.name}**`);
    expect(cardText(direct)).toContain('全部状态');
    await h.say(coord, office, '审核 不存在的单位');
    await h.drainOutbox();
    expect(
      h
        .messages(office)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('没有找到单位“不存在的单位”');

    // A reviewer may not name other reviewers.
    await h.say(reviewer.openId, chat.chatId, '添加审核人 @李成英');
    expect(await h.db.auditLog.count({ where: { actorOpenId: reviewer.openId, action: 'reviewer.add', decision: 'deny' } })).toBe(1);
  });
});
