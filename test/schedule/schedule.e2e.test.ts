// The 计划安排表 end to end: the working view with balance checks, month moves (notify and
// confirm), publishing twice with changes in between (only affected units told), the XLSX read
// back cell by cell, calendar events, and a missing calendar permission.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { actionValues, cardText, currentCard, expectValidCard, lastBotCard, newClock, seedCampaign2023, waitUntil, type SeededTheme } from '../review/support.ts';
import { maskPhone } from '../../src/domain/phone.ts';
import { escapeMarkdown } from '../../cards/kit.ts';
import { sortRows } from '../../src/domain/schedule.ts';
import { currentScheduleRows } from '../../src/usecases/schedule/rows.ts';

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('schedule (%s)', STORY, (provider) => {
  let h: Harness;
  let themes: SeededTheme[];
  let campaignId: string;
  let coord: string;
  let office: string;
  const appCount = (chatId: string) => h.messages(chatId).filter((m) => m.senderType === 'app').length;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: newClock() });
    ({ themes, campaignId } = await seedCampaign2023(h.db));
    coord = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
    await h.db.campaign.update({ where: { id: campaignId }, data: { status: 'reviewing' } });
    // 36 approved in their declared months (the first unit's second theme placed in its first
    // theme's month, so one unit has two activities in a month), the last four rejected.
    for (const [i, t] of themes.entries()) {
      const month = i === 1 ? themes[0]!.month : t.month;
      await h.db.theme.update({ where: { id: t.id }, data: i < 36 ? { reviewStatus: 'approved', scheduledMonth: month } : { reviewStatus: 'rejected', reviewReason: '不采纳' } });
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  const unitOf = (t: SeededTheme) => h.demo.units.find((u) => u.id === t.unitId)!;
  /** The row number the work card and the Excel show for a theme (more than 30 rows: typed, not picked). */
  const rowNo = async (themeId: string) => String(sortRows(await currentScheduleRows(h.db, campaignId)).findIndex((r) => r.themeId === themeId) + 1);

  it('shows the working view with balance checks; only the coordinator may open it', async () => {
    await h.say(coord, office, '计划安排表');
    await h.drainOutbox();
    const { card } = lastBotCard(h, office);
    expectValidCard(card);
    const text = cardText(card);
    expect(text).toContain('入选活动 **36** 项');
    expect(text).toContain('**5月**');
    expect(text).toContain('均衡检查');
    expect(text).toContain(`${h.demo.units.find((u) => u.id === themes[0]!.unitId)!.name} 在5月有 2 项活动`);
    expect(text).toContain('尚未发布');

    const unit = h.demo.units[0]!;
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '发布计划');
    await h.drainOutbox();
    expect(
      h
        .messages(unit.chatId)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('只有县政务公开办的协调人');
    expect(await h.db.auditLog.count({ where: { action: 'schedule.publish', decision: 'deny' } })).toBe(1);
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '计划安排表');
    await h.drainOutbox();
    expect(
      h
        .messages(unit.chatId)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('尚未发布');
  });

  it('moves a theme in notify mode and in confirm mode', async () => {
    const { messageId, card } = lastBotCard(h, office);
    const move = actionValues(card, 'schedule.move')[0]!;
    const a = themes[0]!;
    const before = appCount(unitOf(a).chatId);
    expect(cardText(card)).toContain('活动编号（上方列表中的序号）');
    const r = await h.click(coord, messageId, move, { no: await rowNo(a.id), month: '11' });
    expect(r.toast?.content).toContain('已调整到11月');
    expectValidCard(currentCard(h, messageId));
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: a.id } })).scheduledMonth).toBe(11);
    await h.drainOutbox();
    expect(appCount(unitOf(a).chatId)).toBe(before + 1);
    expect(cardText(lastBotCard(h, unitOf(a).chatId).card)).toContain('调整到 **11月**');

    // Missing month, a number out of range, a card older than the schedule: refused, input kept.
    const bad = await h.click(coord, messageId, actionValues(currentCard(h, messageId), 'schedule.move')[0]!, { no: '7' });
    expect(bad.toast?.content).toBe('请选择 1-12 月');
    expect(cardText(currentCard(h, messageId))).toContain('"default_value":"7"');
    const fresh = actionValues(currentCard(h, messageId), 'schedule.move')[0]!;
    expect((await h.click(coord, messageId, fresh, { no: '99', month: '6' })).toast?.content).toContain('活动编号应为 1-36 的数字');
    expect((await h.click(coord, messageId, { ...fresh, order: '00000000' }, { no: '1', month: '6' })).toast?.content).toContain('计划安排表已有变化');

    // Confirm mode: the unit's liaison is asked.
    await h.db.campaign.update({ where: { id: campaignId }, data: { settings: JSON.stringify({ monthMoveMode: 'confirm' }) } });
    const b = themes[2]!;
    const c = themes[4]!;
    const move2 = actionValues(currentCard(h, messageId), 'schedule.move')[0]!;
    expect((await h.click(coord, messageId, move2, { no: await rowNo(b.id), month: '12' })).toast?.content).toContain('已请单位确认');
    const move3 = actionValues(currentCard(h, messageId), 'schedule.move')[0]!;
    await h.click(coord, messageId, move3, { no: await rowNo(c.id), month: '12' });
    expect((await h.db.theme.findUniqueOrThrow({ where: { id: b.id } })).moveState).toBe('proposed');
    expect(cardText(currentCard(h, messageId))).toContain('待单位确认的月份调整');
    await h.drainOutbox();
    const ask = lastBotCard(h, unitOf(b).chatId);
    expectValidCard(ask.card);
    const yes = actionValues(ask.card, 'schedule.move_reply').find((v) => v.accept === true)!;
    // The coordinator is in the group but is not the unit's liaison.
    const wrong = await h.click(coord, ask.messageId, yes);
    expect(wrong.toast?.type).toBe('error');
    const ok = await h.click(unitOf(b).liaisons[0]!.openId, ask.messageId, yes);
    expect(ok.toast?.content).toBe('已同意调整');
    expect(await h.db.theme.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ scheduledMonth: 12, moveState: 'confirmed' });

    const askC = lastBotCard(h, unitOf(c).chatId);
    const no = actionValues(askC.card, 'schedule.move_reply').find((v) => v.accept === false)!;
    await h.click(unitOf(c).liaisons[0]!.openId, askC.messageId, no);
    expect(await h.db.theme.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ scheduledMonth: c.month, moveState: 'none' });
    await h.drainOutbox();
    const officeText = h
      .messages(office)
      .slice(-2)
      .map((m) => JSON.stringify(m.card))
      .join('');
    expect(officeText).toContain('同意将');
    expect(officeText).toContain('不同意将');
  });

  let firstXlsx: Buffer;

  it('publishes version 1 to every unit group and the office, with the XLSX and calendar events', async () => {
    // Themes whose review is not done are named on the confirm card: the plan leaves them out.
    await h.db.theme.update({ where: { id: themes[36]!.id }, data: { reviewStatus: 'pending' } });
    await h.db.theme.update({ where: { id: themes[37]!.id }, data: { reviewStatus: 'returned', reviewReason: '请补充活动简介' } });
    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    expect(cardText(lastBotCard(h, office).card)).toContain('还有 1 个主题待审核、1 个主题退回修改中，不在本版计划内；审核通过后可再发布新版本。');
    for (const t of [themes[36]!, themes[37]!]) await h.db.theme.update({ where: { id: t.id }, data: { reviewStatus: 'rejected', reviewReason: '不采纳' } });

    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    const confirm = lastBotCard(h, office);
    expectValidCard(confirm.card);
    expect(cardText(confirm.card)).toContain('即将发布 **第 1 版**');
    const before = new Map(h.demo.units.map((u) => [u.chatId, appCount(u.chatId)]));
    // Feishu's rate limit on two of the calendar events: waited out and retried, not left for the next publish.
    h.emulator.faults.route(/^\/open-apis\/calendar\/v4\/calendars\/[^/]+\/events$/, { rateLimit429: 1, resetSeconds: 1, times: 2 }, 'POST');
    const r = await h.click(coord, confirm.messageId, actionValues(confirm.card, 'schedule.publish')[0]!);
    expect(r.error).toBeUndefined();
    expect(r.toast?.content).toBe('正在发布第 1 版…');
    await waitUntil(async () => (await h.db.scheduleVersion.count({ where: { campaignId } })) === 1);
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe('scheduled');
    const sv = await h.db.scheduleVersion.findFirstOrThrow({ where: { campaignId } });
    expect(JSON.parse(sv.snapshot)).toHaveLength(36);

    // The Excel: the office group's copy (masked) and the publishing coordinator's own (full numbers).
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'file' } })) === 2);
    await waitUntil(async () => (await h.db.calendarEvent.count()) === 36);
    expect(h.emulator.calls({ path: /\/calendar\/v4\/calendars\/[^/]+\/events$/ }).filter((c) => c.status === 429)).toHaveLength(2);
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'card_update' } })) === 1);
    await h.drainOutbox();
    expect(cardText(currentCard(h, confirm.messageId))).toContain('第 1 版已于 2023-04-10 10:00 发布：36 项活动');
    for (const u of h.demo.units) expect(appCount(u.chatId), u.name).toBe(before.get(u.chatId)! + 1);

    const a = themes[0]!;
    const unit = unitOf(a);
    const own = lastBotCard(h, unit.chatId).card;
    expectValidCard(own);
    const ownText = JSON.stringify(own); // raw: the phone checks below look at the escaped form
    expect(ownText).toContain(`本单位活动（${unit.name}）`);
    expect(ownText).toContain('★ ');
    const phone = (await h.db.submission.findFirstOrThrow({ where: { unitId: unit.id } })).contactPhone!;
    const inCard = (p: string) => JSON.stringify(escapeMarkdown(p)).slice(1, -1);
    expect(ownText).toContain(inCard(maskPhone(phone)));
    expect(ownText).not.toContain(inCard(phone));
    const officeCard = h
      .messages(office)
      .filter((m) => m.msgType === 'interactive' && JSON.stringify(m.card).includes('第 1 版\u3000'))
      .pop()!;
    // The office group is a group too: mobiles and landlines masked there as well (issue 14).
    expect(JSON.stringify(officeCard.card)).toContain(inCard(maskPhone(phone)));
    expect(JSON.stringify(officeCard.card)).not.toContain(inCard(phone));

    const file = h.messages(office).find((m) => m.msgType === 'file')!;
    expect(file.fileName).toBe('长沙县2023年“政务公开主题日”活动计划安排表（第1版）.xlsx');
    firstXlsx = Buffer.from(h.emulator.uploadedFiles().find((f) => f.key === file.fileKey)!.bytes);
    // The coordinator who published gets their own copy privately, with the full numbers.
    const privateCopy = h.messages(h.emulator.p2pChatId(coord)).find((m) => m.msgType === 'file')!;
    expect(privateCopy.fileName).toBe('长沙县2023年“政务公开主题日”活动计划安排表（第1版）（含完整电话）.xlsx');
    const ownWb = new ExcelJS.Workbook();
    const ownBytes = Buffer.from(h.emulator.uploadedFiles().find((f) => f.key === privateCopy.fileKey)!.bytes);
    await ownWb.xlsx.load(ownBytes.buffer.slice(ownBytes.byteOffset, ownBytes.byteOffset + ownBytes.byteLength) as ArrayBuffer);
    const phones: string[] = [];
    ownWb.getWorksheet('计划安排表')!.eachRow((row) => phones.push(String(row.getCell(7).value ?? '')));
    expect(phones).toContain(phone);

    // Asked later in the group: the published version, own rows first, phones masked.
    await h.say(unit.liaisons[0]!.openId, unit.chatId, '计划安排表');
    await h.drainOutbox();
    const asked = JSON.stringify(lastBotCard(h, unit.chatId).card); // raw, as above
    expect(asked).toContain(`本单位活动（${unit.name}）`);
    expect(asked).toContain('第 1 版');
    expect(asked).not.toContain(inCard(phone));
    // The review card never goes to a unit group.
    await h.say(coord, unit.chatId, '审核');
    await h.drainOutbox();
    expect(
      h
        .messages(unit.chatId)
        .filter((m) => m.senderType === 'app')
        .pop()?.text,
    ).toContain('请在与主题日助手的私聊或县政务公开办工作群中');

    const calendars = h.emulator.calendars();
    expect(calendars).toHaveLength(1);
    const created = h.messages(office).filter((m) => JSON.stringify(m.card ?? {}).includes('活动日历已创建'));
    expect(created).toHaveLength(1);
    expect(JSON.stringify(created[0]!.card)).toContain(JSON.stringify(escapeMarkdown(calendars[0]!.calendarId)).slice(1, -1));
    expect((await h.db.keyValue.findUniqueOrThrow({ where: { key: `calendar:${campaignId}` } })).value).toBe(calendars[0]!.calendarId);
    const ev = await h.db.calendarEvent.findUniqueOrThrow({ where: { themeId: a.id } });
    const emuEv = h.emulator.calendarEvents(calendars[0]!.calendarId).find((e) => e.eventId === ev.eventId)!;
    expect(emuEv.startTime).toMatchObject({ date: '2023-11-01' });
    expect(emuEv.endTime).toMatchObject({ date: '2023-11-30' });
  });

  it('writes the XLSX by month with the county title (read back cell by cell)', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(firstXlsx.buffer.slice(firstXlsx.byteOffset, firstXlsx.byteOffset + firstXlsx.byteLength) as ArrayBuffer);
    const ws = wb.getWorksheet('计划安排表')!;
    expect(ws.getCell('A1').value).toBe('长沙县2023年“政务公开主题日”活动计划安排表');
    expect(String(ws.getCell('A2').value)).toContain('第1版');
    expect(String(ws.getCell('A2').value)).toContain('2023年4月10日');
    expect([1, 2, 3, 4, 5, 6, 7].map((c) => ws.getRow(3).getCell(c).value)).toEqual(['序号', '活动月份', '单位', '活动主题', '活动形式', '联系人', '联系电话']);
    const rows = await h.db.theme.findMany({ where: { reviewStatus: 'approved' }, include: { submission: true } });
    const may = rows.filter((t) => (t.scheduledMonth ?? t.month) === 5);
    expect(ws.getCell('A4').value).toBe(`5月（${may.length}项）`);
    const first = ws.getRow(5);
    expect(first.getCell(1).value).toBe(1);
    expect(first.getCell(2).value).toBe('5月');
    const match = may.find((t) => t.title === first.getCell(4).value)!;
    expect(match).toBeDefined();
    expect(first.getCell(6).value).toBe(match.submission.contactName);
    // The office group's copy: phones masked (full numbers only in files sent privately to coordinators).
    expect(first.getCell(7).value).toBe(maskPhone(match.submission.contactPhone!));
    // Every approved theme appears exactly once; month headings in order.
    const titles: string[] = [];
    const headings: string[] = [];
    ws.eachRow((row, n) => {
      if (n <= 3) return;
      const v = row.getCell(1).value;
      if (typeof v === 'string') headings.push(v);
      else titles.push(String(row.getCell(4).value));
    });
    expect(titles).toHaveLength(36);
    expect(headings.map((x) => Number(x.split('月')[0]))).toEqual([...headings.map((x) => Number(x.split('月')[0]))].sort((p, q) => p - q));
  });

  it('publishes version 2 with a change notice to the affected units only', async () => {
    // Changes: one theme moved (notify mode again), one rejected theme now approved.
    await h.db.campaign.update({ where: { id: campaignId }, data: { settings: JSON.stringify({ monthMoveMode: 'notify' }) } });
    const moved = themes[6]!;
    const added = themes[37]!;
    await h.say(coord, office, '调整月份');
    await h.drainOutbox();
    const work = lastBotCard(h, office);
    await h.click(coord, work.messageId, actionValues(work.card, 'schedule.move')[0]!, { no: await rowNo(moved.id), month: '10' });
    await h.db.theme.update({ where: { id: added.id }, data: { reviewStatus: 'approved', scheduledMonth: added.month } });
    await h.drainOutbox();

    const before = new Map(h.demo.units.map((u) => [u.chatId, appCount(u.chatId)]));
    const officeBefore = appCount(office);
    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    const confirm = lastBotCard(h, office);
    expect(cardText(confirm.card)).toContain('与上一版相比 2 处变更，只通知涉及的 2 个单位');
    const r = await h.click(coord, confirm.messageId, actionValues(confirm.card, 'schedule.publish')[0]!);
    expect(r.toast?.content).toBe('正在发布第 2 版…');
    await waitUntil(async () => (await h.db.scheduleVersion.count({ where: { campaignId } })) === 2);
    // A second click on the same confirmation does not publish again.
    await h.click(coord, confirm.messageId, actionValues(confirm.card, 'schedule.publish')[0]!);
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'card_update' } })) === 2);
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'file' } })) === 4);
    await waitUntil(async () => (await h.db.calendarEvent.count()) === 37);
    await h.drainOutbox();

    const affected = new Set([moved.unitId, added.unitId]);
    for (const u of h.demo.units) {
      expect(appCount(u.chatId), u.name).toBe(before.get(u.chatId)! + (affected.has(u.id) ? 1 : 0));
    }
    expect(affected.size).toBe(2);
    // No new message elsewhere, but every group's plan card now shows 第 2 版 (updated in place), the move included.
    const quiet = h.demo.units.find((u) => !affected.has(u.id) && u.chatId)!;
    const published = h.messages(quiet.chatId).find((m) => m.senderType === 'app' && m.msgType === 'interactive' && cardText(m.card).includes('本单位活动'))!;
    expect(cardText(published.card)).toContain('第 2 版');
    expect(cardText(published.card)).not.toContain('第 1 版');
    expectValidCard(published.card);
    expect(cardText(published.card)).toContain('共 37 项活动'); // v1's 36 and the theme approved since
    const notice = lastBotCard(h, unitOf(moved).chatId).card;
    expectValidCard(notice);
    expect(cardText(notice)).toContain(`${moved.month}月 → 10月`);
    expect(cardText(lastBotCard(h, unitOf(added).chatId).card)).toContain('新增');
    // Office: the publish card, the v2 card and the file.
    expect(appCount(office)).toBe(officeBefore + 3);
    // The v2 card that came with the file was redrawn with a 下载 link to that file (masked copy in a group).
    const v2Card = h
      .messages(office)
      .filter((m) => m.senderType === 'app' && m.msgType === 'interactive' && JSON.stringify(m.card).includes('（第2版）'))
      .pop()!;
    const link = /"default_url":"([^"]+\/downloads\/[^"]+)"/.exec(JSON.stringify(v2Card.card))?.[1];
    expect(link).toBeDefined();
    const download = await fetch(link!);
    expect(download.status).toBe(200);
    expect(decodeURIComponent(download.headers.get('content-disposition') ?? '')).toContain('（第2版）.xlsx');
    const v2 = await h.db.scheduleVersion.findFirstOrThrow({ where: { campaignId, version: 2 } });
    expect(
      JSON.parse(v2.changes)
        .map((c: { kind: string }) => c.kind)
        .sort(),
    ).toEqual(['added', 'moved']);

    const ev = await h.db.calendarEvent.findUniqueOrThrow({ where: { themeId: moved.id } });
    const emuEv = h.emulator.calendarEvents().find((e) => e.eventId === ev.eventId)!;
    expect(emuEv.startTime).toMatchObject({ date: '2023-10-01' });

    // Nothing changed: publishing again is refused.
    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    expect(cardText(lastBotCard(h, office).card)).toContain('与已发布版本相同，无需重新发布');
  });

  it('publishes without calendar permission: one note to the coordinator, nothing else fails', async () => {
    h.emulator.faults.calendarPermission(false);
    const t = themes[8]!;
    await h.db.theme.update({ where: { id: t.id }, data: { scheduledMonth: 12 } });
    const before = appCount(unitOf(t).chatId);
    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    const confirm = lastBotCard(h, office);
    const r = await h.click(coord, confirm.messageId, actionValues(confirm.card, 'schedule.publish')[0]!);
    expect(r.toast?.content).toBe('正在发布第 3 版…');
    await waitUntil(async () => (await h.db.scheduleVersion.count({ where: { campaignId } })) === 3);
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: `calendar-note:${campaignId}:v3:permission` } } })) === 1);
    await waitUntil(async () => (await h.db.outboxMessage.count({ where: { op: 'file' } })) === 6);
    await h.drainOutbox();
    const note = h.messages(office).filter((m) => JSON.stringify(m.card ?? {}).includes('飞书日历未同步'));
    expect(note).toHaveLength(1);
    expect(JSON.stringify(note[0]!.card)).toContain('没有飞书日历权限');
    expect(appCount(unitOf(t).chatId)).toBe(before + 1);
    expect(await h.db.scheduleVersion.count({ where: { campaignId } })).toBe(3);
    expect(await h.db.outboxMessage.count({ where: { status: { in: ['failed', 'dead'] } } })).toBe(0);
    h.emulator.faults.calendarPermission(true);
  });
  it('a theme taken out of the plan: removed in version 4, its calendar event deleted, its unit told', async () => {
    const t = themes[10]!;
    await h.db.theme.update({ where: { id: t.id }, data: { reviewStatus: 'rejected', reviewReason: '合并到其他单位活动' } });
    const ev = await h.db.calendarEvent.findUniqueOrThrow({ where: { themeId: t.id } });
    const before = new Map(h.demo.units.map((u) => [u.chatId, appCount(u.chatId)]));
    await h.say(coord, office, '发布计划');
    await h.drainOutbox();
    const confirm = lastBotCard(h, office);
    expect((await h.click(coord, confirm.messageId, actionValues(confirm.card, 'schedule.publish')[0]!)).toast?.content).toBe('正在发布第 4 版…');
    await waitUntil(async () => (await h.db.calendarEvent.count({ where: { themeId: t.id } })) === 0);
    await h.drainOutbox();
    for (const u of h.demo.units) expect(appCount(u.chatId), u.name).toBe(before.get(u.chatId)! + (u.id === t.unitId ? 1 : 0));
    expect(cardText(lastBotCard(h, unitOf(t).chatId).card)).toContain('移出计划');
    const emuEv = h.emulator.calendarEvents().find((e) => e.eventId === ev.eventId);
    expect(emuEv === undefined || emuEv.status === 'cancelled').toBe(true);
    // The move published while the calendar was unavailable (version 3) is caught up now.
    const missed = await h.db.calendarEvent.findUniqueOrThrow({ where: { themeId: themes[8]!.id } });
    await waitUntil(() => (h.emulator.calendarEvents().find((e) => e.eventId === missed.eventId)?.startTime as { date?: string } | undefined)?.date === '2023-12-01');
    await waitUntil(async () => (await h.db.keyValue.count({ where: { key: `calendar-dirty:${campaignId}` } })) === 0);
  });
});
