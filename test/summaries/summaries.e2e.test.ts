// Post-event summaries end to end (real app, real SDK over HTTP to the emulator, real database):
// the summary card (draft, validation next to the fields, submit), refusals, photos (EXIF, dedupe,
// too large, not an image, LOGO marking, delete, "which activity?"), evidence, completeness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { tinyJpeg } from '../../src/adapters/files/sample-jpeg.ts';
import { summaryCompleteness } from '../../src/usecases/summaries/completeness.ts';
import { parseEvidenceCheck } from '../../src/domain/evidence.ts';
import { buttons, buttonValue } from '../submissions/support.ts';
import { cardText, currentCard, expectValidCard, goodForm, lastBotCard, replyTo, seedScheduled2023, sendPhoto, waitFor, type ApprovedTheme } from './support.ts';

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('summaries end to end (%s)', STORY, (provider) => {
  let h: Harness;
  let themes: ApprovedTheme[];
  let extra: ApprovedTheme[];
  let campaignId: string;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock('2023-11-20T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'false', MAX_PHOTO_MB: '1' } });
    ({ themes, extra, campaignId } = await seedScheduled2023(h.db, 20, 22));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a liaison fills the summary card: draft kept, errors next to the fields, submit', async () => {
    const unit = h.demo.units[0]!;
    const liaison = unit.liaisons[0]!.openId;
    const theme = themes[0]!;
    await h.say(liaison, unit.chatId, '总结');
    await h.drainOutbox();
    const list = lastBotCard(h, unit.chatId);
    expectValidCard(list.card);
    expect(cardText(list.card)).toContain('填写总结');

    const opened = await h.click(liaison, list.messageId, { a: 'summary.open', themeId: theme.id });
    expect(opened.error).toBeUndefined();
    expect(opened.cardReplaced).toBe(true);
    const form = currentCard(h, list.messageId);
    expectValidCard(form);
    expect(cardText(form)).toContain('实际举办日期');

    // Draft: saved with partial values; the typed text comes back on re-open.
    const draft = await h.click(liaison, list.messageId, { a: 'summary.save', themeId: theme.id }, { summary_text: '草稿：座谈会已开完，总结待补充', held_date_1: '2023-05-12' });
    expect(draft.toast?.type).toBe('success');
    expect((await h.db.summary.findUnique({ where: { themeId: theme.id } }))?.status).toBe('draft');
    await h.click(liaison, list.messageId, { a: 'summary.open', themeId: theme.id });
    expect(cardText(currentCard(h, list.messageId))).toContain('草稿：座谈会已开完');

    // Invalid submit: a toast, red notes next to the fields, and nothing typed is lost.
    const bad = await h.click(liaison, list.messageId, { a: 'summary.submit', themeId: theme.id }, { ...goodForm(5), links_media: 'news.example.cn/没有协议', summary_text: '太短了' });
    expect(bad.toast?.type).toBe('error');
    expect(bad.toast?.content).toContain('处需要修改');
    const errorCard = currentCard(h, list.messageId);
    expectValidCard(errorCard);
    expect(cardText(errorCard)).toContain('news.example.cn/没有协议');
    expect(cardText(errorCard)).toContain('不是有效的 http');
    expect(cardText(errorCard)).toContain('至少 20 个字');
    expect((await h.db.summary.findUnique({ where: { themeId: theme.id } }))?.status).toBe('draft');

    // A group member who is not a liaison (here the 分管领导) is refused, with an audit row.
    const members = h.emulator.chats().find((c) => c.chatId === unit.chatId)!.memberOpenIds;
    const other = members.find((m) => !unit.liaisons.some((l) => l.openId === m) && m !== h.demo.coordinatorOpenId)!;
    expect(other).toBeTruthy();
    const refused = await h.click(other, list.messageId, { a: 'summary.submit', themeId: theme.id }, goodForm(5));
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('只有本单位的联系人');
    expect(await h.db.auditLog.count({ where: { actorOpenId: other, action: 'summary.submit', decision: 'deny' } })).toBe(1);

    const ok = await h.click(liaison, list.messageId, { a: 'summary.submit', themeId: theme.id }, goodForm(5));
    expect(ok.toast?.type).toBe('success');
    const row = await h.db.summary.findUniqueOrThrow({ where: { themeId: theme.id } });
    expect(row.status).toBe('submitted');
    expect(row.version).toBe(1);
    expect(JSON.parse(row.heldDates)).toEqual(['2023-05-10']);
    expect(JSON.parse(row.links).media).toEqual(['https://news.example.cn/0.html']);
    expect(await h.db.formDraft.count({ where: { subject: `summary:${theme.id}` } })).toBe(0);
    expectValidCard(currentCard(h, list.messageId));
    await h.drainOutbox();
    // Evidence shown to the liaison (unit group) and the coordinator (office chat); links not fetched (config off).
    const evidence = lastBotCard(h, unit.chatId);
    expectValidCard(evidence.card);
    expect(cardText(evidence.card)).toContain('尚未上传活动照片');
    expect(cardText(lastBotCard(h, h.demo.officeChatId).card)).toContain('活动总结已提交');
    expect(parseEvidenceCheck(row.evidenceCheck)?.linkCheckSkipped).toBe(true);
  });

  it('photos: EXIF date, dedupe, too large, not an image, LOGO mark, delete', async () => {
    const unit = h.demo.units[0]!;
    const liaison = unit.liaisons[0]!.openId;
    const theme = themes[0]!;
    const photo = tinyJpeg({ dateTimeOriginal: '2023:05:10 09:30:00', description: 'unit0 photo 1' });
    const m1 = await sendPhoto(h, liaison, unit.chatId, photo);
    expect(replyTo(h, unit.chatId, m1)).toContain('已收到 1 张照片');
    // The summary is already in: the photo's answer offers 查看总结 / 修改总结, not 填写总结 (issue 13 review).
    const ack = h
      .messages(unit.chatId)
      .filter((x) => x.senderType === 'app' && x.parentId === m1)
      .pop()!;
    expect(buttons(ack.card).map((b) => b.text)).toEqual(['查看照片 / 标记 LOGO 照片', '查看总结', '修改总结']);
    expect(cardText(ack.card)).toContain('本活动的总结已提交');
    const viewed = await h.click(liaison, ack.messageId, buttonValue(ack.card, { text: '查看总结' }));
    expect(viewed.cardReplaced).toBe(true);
    expect(cardText(currentCard(h, ack.messageId))).toContain('活动总结 · ');
    const m2 = await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ dateTimeOriginal: '2022:12:01 09:30:00', description: 'unit0 photo 2' }));
    const r2 = replyTo(h, unit.chatId, m2);
    expect(r2).toContain('已收到 2 张照片');
    expect(r2).toContain('相差超过 1 个月');
    const dup = await sendPhoto(h, liaison, unit.chatId, photo);
    expect(replyTo(h, unit.chatId, dup)).toContain('已收到过');
    const big = await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ padTo: 1_300_000 }));
    expect(replyTo(h, unit.chatId, big)).toMatch(/过大（1\.2 MB），单张照片不超过 1\.0 MB/);
    const pdf = await sendPhoto(h, liaison, unit.chatId, Buffer.from('%PDF-1.4 not a photo'), { asFile: true, fileName: '现场照片.jpg' });
    expect(replyTo(h, unit.chatId, pdf)).toContain('不是支持的图片格式');
    const summary = await h.db.summary.findUniqueOrThrow({ where: { themeId: theme.id }, include: { attachments: true } });
    expect(summary.attachments).toHaveLength(2);
    expect(summary.attachments.map((a) => a.takenOn).sort()).toEqual(['2022-12-01', '2023-05-10']);
    expect(summary.attachments.every((a) => a.feishuKey)).toBe(true);
    expect(await h.db.auditLog.count({ where: { action: 'summary.photo_refused', decision: 'deny' } })).toBe(2);
    const stored = await h.services.storage.get(summary.attachments[0]!.storagePath);
    expect(stored.length).toBeGreaterThan(100);

    // The photo list: mark the LOGO photo, delete the old one.
    await h.say(liaison, unit.chatId, '总结');
    await h.drainOutbox();
    const list = lastBotCard(h, unit.chatId);
    await h.click(liaison, list.messageId, { a: 'summary.photos', themeId: theme.id });
    const photos = currentCard(h, list.messageId);
    expectValidCard(photos);
    const first = summary.attachments.find((a) => a.takenOn === '2023-05-10')!;
    const old = summary.attachments.find((a) => a.takenOn === '2022-12-01')!;
    expect((await h.click(liaison, list.messageId, { a: 'summary.photo_logo', photoId: first.id })).toast?.content).toContain('LOGO');
    const del = await h.click(liaison, list.messageId, { a: 'summary.photo_del', photoId: old.id });
    expect(del.toast?.type).toBe('success');
    expectValidCard(currentCard(h, list.messageId));
    const after = await h.db.summary.findUniqueOrThrow({ where: { themeId: theme.id }, include: { attachments: { where: { deletedAt: null } } } });
    expect(after.attachments.map((a) => a.kind)).toEqual(['logo_photo']);
    const issues = parseEvidenceCheck(after.evidenceCheck)!.issues.map((i) => i.code);
    expect(issues).not.toContain('logo_photo_missing');
    expect(issues).not.toContain('photo_date_far');
    // Re-sending the deleted photo brings it back (dedupe by sha256 within the activity).
    const again = await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ dateTimeOriginal: '2022:12:01 09:30:00', description: 'unit0 photo 2' }));
    expect(replyTo(h, unit.chatId, again)).toContain('已收到 2 张照片');
  });

  it('a unit with two activities in the month is asked which one; a reply to the card goes straight to it', async () => {
    const unit = h.demo.units[22]!;
    const liaison = unit.liaisons[0]!.openId;
    const { messageId } = await h.emulator.userSendImage(liaison, unit.chatId, tinyJpeg({ description: 'which one' }), 'x.jpg');
    await h.drainOutbox();
    const ask = h
      .messages(unit.chatId)
      .filter((m) => m.senderType === 'app' && m.parentId === messageId)
      .pop()!;
    expectValidCard(ask.card);
    expect(cardText(ask.card)).toContain('这张照片属于哪项活动');
    const chose = await h.click(liaison, ask.messageId, { a: 'summary.photo_target', ref: messageId }, { themeId: extra[1]!.id });
    expect(chose.toast?.type).toBe('success');
    await waitFor(async () => (await h.db.attachment.count({ where: { summary: { themeId: extra[1]!.id } } })) === 1);

    // Reply to the receipt card (which names the activity): no question asked.
    await h.drainOutbox();
    const receipt = h
      .messages(unit.chatId)
      .filter((m) => m.senderType === 'app' && m.parentId === messageId && m.messageId !== ask.messageId)
      .pop()!;
    expect(cardText(receipt.card)).toContain('已收到 1 张照片');
    // No summary for this activity yet: 填写总结.
    expect(buttons(receipt.card).map((b) => b.text)).toEqual(['查看照片 / 标记 LOGO 照片', '填写总结']);
    const m2 = await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ description: 'reply photo' }), { parentId: receipt.messageId });
    expect(replyTo(h, unit.chatId, m2)).toContain('已收到 2 张照片');
    expect(await h.db.attachment.count({ where: { summary: { themeId: extra[1]!.id } } })).toBe(2);

    // Reply to the activity list card after opening the first activity's summary in it.
    await h.say(liaison, unit.chatId, '总结');
    await h.drainOutbox();
    const list = lastBotCard(h, unit.chatId);
    // Photos alone are no summary: the activity reads 未填写, not 草稿 (a Chromium pass found 草稿).
    expect(cardText(list.card)).toContain('未填写 · 照片 2 张');
    expect(cardText(list.card)).not.toContain('草稿');
    await h.click(liaison, list.messageId, { a: 'summary.open', themeId: extra[1]!.id });
    expect(cardText(currentCard(h, list.messageId))).toContain('未填写');
    await h.click(liaison, list.messageId, { a: 'summary.save', themeId: extra[1]!.id }, { summary_text: '活动当天邀请群众代表参加' });
    expect(cardText(currentCard(h, list.messageId))).toContain('草稿');
    await h.click(liaison, list.messageId, { a: 'summary.open', themeId: extra[0]!.id });
    const m3 = await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ description: 'reply to form' }), { parentId: list.messageId });
    expect(replyTo(h, unit.chatId, m3)).toContain('已收到 1 张照片');
    expect(await h.db.attachment.count({ where: { summary: { themeId: extra[0]!.id } } })).toBe(1);
  });

  it('twenty units submit summaries with photos; the coordinator sees completeness', async () => {
    for (let i = 1; i < 20; i++) {
      const unit = h.demo.units[i]!;
      const liaison = unit.liaisons[0]!.openId;
      const theme = themes[i]!;
      await h.say(liaison, unit.chatId, '总结');
      await h.drainOutbox();
      const list = lastBotCard(h, unit.chatId);
      await h.click(liaison, list.messageId, { a: 'summary.open', themeId: theme.id });
      const r = await h.click(liaison, list.messageId, { a: 'summary.submit', themeId: theme.id }, goodForm(theme.month, i));
      expect(r.toast?.type, `unit ${i}: ${r.toast?.content}`).toBe('success');
      if (i % 4 !== 3) await sendPhoto(h, liaison, unit.chatId, tinyJpeg({ dateTimeOriginal: `2023:${String(theme.month).padStart(2, '0')}:1${i % 10} 10:00:00`, description: `unit ${i}` }));
    }
    await h.drainOutbox();
    const rows = await summaryCompleteness(h.db, campaignId);
    expect(rows.filter((r) => r.status === 'submitted')).toHaveLength(20);
    // units 3, 7, 11, 15, 19 sent no photo (both activities of unit 22 got one above)
    expect(
      rows
        .filter((r) => r.missingKeys.includes('photos'))
        .map((r) => r.themeId)
        .sort(),
    ).toEqual([3, 7, 11, 15, 19].map((i) => themes[i]!.id).sort());
    // "现场LOGO：是" counts, with or without a photo marked as the LOGO photo.
    const submittedRows = rows.filter((r) => r.status === 'submitted');
    expect(submittedRows.every((r) => r.logo && r.logoShown === true && !r.missingKeys.includes('logo'))).toBe(true);
    const coord = h.demo.coordinatorOpenId;
    await h.say(coord, h.demo.officeChatId, '总结进度');
    await h.drainOutbox();
    const progress = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(progress.card);
    expect(cardText(progress.card)).toContain('已提交总结 **20** 项');
    expect(cardText(progress.card).match(/"logo":"有/g)?.length ?? 0).toBeGreaterThanOrEqual(20);
    const view = await h.click(coord, progress.messageId, buttonValue(progress.card, { text: '查看总结' }), { themeId: themes[3]!.id });
    expect(view.error).toBeUndefined();
    expect(cardText(currentCard(h, progress.messageId))).toContain('做法与经验');
    // The way back to the table (it was a dead end: the coordinator had to send 总结进度 again).
    const back = await h.click(coord, progress.messageId, buttonValue(currentCard(h, progress.messageId), { text: '返回总结进度' }));
    expect(back.error).toBeUndefined();
    expect(cardText(currentCard(h, progress.messageId))).toContain('已提交总结 **20** 项');
    await h.click(coord, progress.messageId, buttonValue(currentCard(h, progress.messageId), { text: '查看总结' }), { themeId: themes[3]!.id });
    // The coordinator corrects that summary from the office group, and replies to the card with the
    // photo the unit never sent: the unit's group is told who changed its summary, and the photo
    // goes to the activity (it had been ignored in a group that is not the unit's).
    const unit3 = h.demo.units[3]!;
    await h.click(coord, progress.messageId, { a: 'summary.open', themeId: themes[3]!.id });
    const corrected = await h.click(coord, progress.messageId, { a: 'summary.submit', themeId: themes[3]!.id }, { ...goodForm(themes[3]!.month, 3), p_citizens: '60' });
    expect(corrected.toast?.type, corrected.toast?.content).toBe('success');
    await h.drainOutbox();
    const told = h
      .messages(unit3.chatId)
      .filter((m) => m.senderType === 'app' && m.msgType === 'interactive')
      .map((m) => cardText(m.card));
    expect(told.at(-1)).toContain('县政务公开办李成英修改了本单位的这份活动总结（第 2 次提交）');
    await sendPhoto(h, coord, h.demo.officeChatId, tinyJpeg({ dateTimeOriginal: `2023:${String(themes[3]!.month).padStart(2, '0')}:13 10:00:00`, description: 'from the office' }), { parentId: progress.messageId });
    await h.drainOutbox();
    const withPhoto = await summaryCompleteness(h.db, campaignId);
    expect(withPhoto.find((r) => r.themeId === themes[3]!.id)!.missingKeys).not.toContain('photos');
    // A liaison may not use the coordinator's command.
    await h.say(h.demo.units[2]!.liaisons[0]!.openId, h.demo.units[2]!.chatId, '总结进度');
    await h.drainOutbox();
    expect(await h.db.auditLog.count({ where: { action: 'summary.progress', decision: 'deny' } })).toBe(1);
  });
});
