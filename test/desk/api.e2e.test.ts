// The desk's server side end to end: the real app in local mode, sign-in through the emulator's
// Feishu authorization page and the real SDK (app_access_token → oidc access_token → user_info),
// the JSON API calling the chat's use cases (the unit is told in its group through the outbox),
// live events, and the .docx read back from its XML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { seedDemoCampaign } from '../../src/usecases/demo/seed-campaign.ts';
import { seedScheduledStage } from '../../src/usecases/demo/seed-scheduled.ts';
import { atShanghai } from '../../src/domain/time.ts';
import type {
  ApiError,
  CampaignList,
  DeskEvent,
  Me,
  Overview,
  ReviewResponse,
  ScheduleBoard,
  ScheduleMoveResult,
  SubmissionsResponse,
  AuditResponse,
  SummariesResponse,
  UnitsResponse,
  UnitItem,
  UnitImportResult,
  SettingsResponse,
  EvaluationResponse,
} from '../../src/desk/api.ts';
import { DeskClient, docxTables, docxText, unzipEntry } from './support.ts';

describe.each(PROVIDERS_UNDER_TEST)('desk API (%s)', (provider) => {
  let h: Harness;
  let desk: DeskClient;

  beforeAll(async () => {
    h = await startHarness({ provider });
    await seedDemoCampaign(h.db, { now: h.clock.now() });
    await seedScheduledStage(h.services);
    await h.drainOutbox();
    // Every test below may run first (shuffle): the coordinator's session is opened here, and a test
    // that needs a sign-in of its own (the sign-in itself, the expiry) uses a fresh client.
    desk = new DeskClient(h.url);
    const { callback } = await desk.signIn(h.demo.coordinatorOpenId);
    if (callback.status !== 302) throw new Error(`coordinator sign-in answered ${callback.status}`);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('answers 401 in Chinese without a session, and sends the page to the Feishu login', async () => {
    const anon = new DeskClient(h.url);
    const me = await anon.json<ApiError>('/desk/api/me');
    expect(me.status).toBe(401);
    expect(me.body.error).toBe('未登录');
    const page = await anon.fetch('/desk/submissions');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/desk/login?next=%2Fdesk%2Fsubmissions');
    const login = await anon.fetch('/desk/login?next=/desk/');
    const to = new URL(login.headers.get('location')!);
    expect(to.origin).toBe(h.url);
    expect(to.pathname).toBe('/open-apis/authen/v1/authorize');
    expect(to.searchParams.get('client_id')).toBe(h.app.config.feishu.appId);
    expect(to.searchParams.get('redirect_uri')).toBe(`${h.url}/desk/auth/callback`);
  });

  it('signs a coordinator in through the emulator authorization page and the SDK', async () => {
    const desk = new DeskClient(h.url);
    const { callback, code, authorizePage } = await desk.signIn(h.demo.coordinatorOpenId);
    expect(authorizePage).toContain('李成英');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/desk/');
    const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('desk_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=28800/);
    const me = await desk.json<Me>('/desk/api/me');
    expect(me.body).toEqual({ openId: h.demo.coordinatorOpenId, name: '李成英', roles: ['coordinator'] });
    // The SDK called the documented endpoints with the documented tokens.
    const login = await h.db.auditLog.findFirst({ where: { action: 'desk.login', actorOpenId: h.demo.coordinatorOpenId } });
    expect(login?.decision).toBe('allow');
    // A code is single use: replaying the callback fails cleanly.
    const replay = new DeskClient(h.url);
    const again = await replay.fetch('/desk/login');
    const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
    const reused = await replay.fetch(`/desk/auth/callback?code=${code}&state=${state}`);
    expect(reused.status).toBe(502);
    expect(await reused.text()).toContain('飞书登录失败');
  });

  it('refuses a liaison with a clear page and audits the refusal', async () => {
    const liaison = h.demo.units[0]!.liaisons[0]!;
    const other = new DeskClient(h.url);
    const { callback } = await other.signIn(liaison.openId);
    expect(callback.status).toBe(403);
    const html = await callback.text();
    expect(html).toContain('无权使用工作台');
    expect(html).toContain('联系人');
    expect(other.cookies.has('desk_session')).toBe(false);
    expect((await other.json<ApiError>('/desk/api/me')).status).toBe(401);
    const denied = await h.db.auditLog.findFirst({ where: { action: 'desk.login', actorOpenId: liaison.openId } });
    expect(denied?.decision).toBe('deny');
  });

  it('rejects a tampered, a forged-state or an expired session', async () => {
    const forged = new DeskClient(h.url);
    const value = desk.cookies.get('desk_session')!;
    forged.cookies.set(
      'desk_session',
      value.replace(/^./, (c) => (c === 'e' ? 'f' : 'e')),
    );
    expect((await forged.json<ApiError>('/desk/api/me')).status).toBe(401);
    const noState = await forged.fetch('/desk/auth/callback?code=x&state=y');
    expect(noState.status).toBe(400);
  });

  it('lists campaigns, the overview with the cards’ VChart specs, and every submission with full phones', async () => {
    const campaigns = await desk.json<CampaignList>('/desk/api/campaigns');
    expect(campaigns.body.map((c) => c.year)).toContain(2023);
    const ov = await desk.json<Overview>('/desk/api/overview?year=2023');
    expect(ov.status).toBe(200);
    expect(ov.body.totals.units).toBeGreaterThan(30);
    expect(ov.body.byKind.map((k) => k.label)).toEqual(expect.arrayContaining(['镇', '街道']));
    // The card's own spec: 已提交 beside 未提交 per unit kind (cards/progress.ts).
    expect(ov.body.charts.find((c) => c.key === 'progress')?.spec).toMatchObject({ type: 'bar', stack: false, xField: ['category', 'series'] });
    expect(ov.body.lateUnits.length).toBeGreaterThan(0);
    // 逾期提交 counts as 申报表's 只看逾期 does; a unit that withdrew is past its deadline, not late.
    const subsLate = (await h.db.submission.findMany({ where: { campaign: { year: 2023 }, status: 'submitted', late: true, unit: { active: true } } })).length;
    expect(ov.body.totals.late).toBe(subsLate);
    expect(ov.body.totals.late + ov.body.totals.overdue).toBe(ov.body.lateUnits.length);
    for (const u of ov.body.lateUnits) expect(u.state === 'late', u.unitName).toBe(u.submittedAt !== null);
    expect(ov.body.lateUnits.some((u) => u.state === 'withdrawn')).toBe(true);
    const subs = await desk.json<SubmissionsResponse>('/desk/api/submissions?year=2023');
    const unit = h.demo.units[2]!;
    const rows = subs.body.rows.filter((r) => r.unitName === unit.name);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]!.contactPhone ?? '').toMatch(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/);
    expect(subs.body.rows.some((r) => r.submissionStatus === 'pending' && r.themeId === null)).toBe(true);
    const bad = await desk.json<ApiError>('/desk/api/submissions?year=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('年份格式不正确');
    // A plan published while 申报 stays open: the console names the stage as 帮助 and 进度 do.
    const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } });
    await h.db.campaign.update({ where: { id: campaign.id }, data: { status: 'reviewing' } });
    try {
      expect((await desk.json<Overview>('/desk/api/overview?year=2023')).body.stageLabel).toBe('计划已发布，申报仍开放');
    } finally {
      await h.db.campaign.update({ where: { id: campaign.id }, data: { status: campaign.status } });
    }
    expect((await desk.json<Overview>('/desk/api/overview?year=2023')).body.stageLabel).not.toContain('申报仍开放');
  });

  it('returns a theme with a reason through the same use case as the card; the unit is told in its group', async () => {
    const queue = await desk.json<ReviewResponse>('/desk/api/review?year=2023');
    const item = queue.body.items.find((i) => i.reviewStatus === 'approved')!;
    const unit = h.demo.units.find((u) => u.id === item.unitId)!;

    const noHeader = await desk.post<ApiError>('/desk/api/review/decision', { themeId: item.themeId, decision: 'return', reason: 'x' }, { desk: false });
    expect(noHeader.status).toBe(403);
    const noReason = await desk.post<ApiError>('/desk/api/review/decision', { themeId: item.themeId, decision: 'return' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toContain('退回修改须填写原因');
    const badDecision = await desk.post<ApiError>('/desk/api/review/decision', { themeId: item.themeId, decision: 'maybe' });
    expect(badDecision.status).toBe(400);
    expect(badDecision.body.error).toContain('审核操作只能是');
    const stale = await desk.post<ApiError>('/desk/api/review/decision', { themeId: item.themeId, themeVersion: item.themeVersion + 5, decision: 'approve' });
    expect(stale.status).toBe(409);

    const before = h.messages(unit.chatId).length;
    const ok = await desk.post<{ ok: boolean; reviewStatus: string }>('/desk/api/review/decision', { themeId: item.themeId, themeVersion: item.themeVersion, decision: 'return', reason: '请补充活动参与对象', fields: ['intro'] });
    expect(ok.status).toBe(200);
    expect(ok.body.reviewStatus).toBe('returned');
    await h.drainOutbox();
    const notice = h.messages(unit.chatId).slice(before);
    expect(notice.some((m) => JSON.stringify(m.card ?? {}).includes('请补充活动参与对象'))).toBe(true);
    const row = await h.db.auditLog.findFirst({ where: { action: 'review.return', entityId: item.themeId }, orderBy: { at: 'desc' } });
    expect(row?.actorOpenId).toBe(h.demo.coordinatorOpenId);
    const after = await desk.json<ReviewResponse>('/desk/api/review?year=2023');
    expect(after.body.items.find((i) => i.themeId === item.themeId)?.history.at(-1)).toMatchObject({ decision: 'return', reason: '请补充活动参与对象', reviewerName: '李成英' });
  });

  it('moves an activity to another month on the board; the unit is notified in its group', async () => {
    const board = await desk.json<ScheduleBoard>('/desk/api/schedule?year=2023');
    expect(board.body.months).toHaveLength(12);
    const from = board.body.months.find((m) => m.items.length > 0)!;
    const item = from.items[0]!;
    const to = from.month === 11 ? 10 : 11;
    const unit = h.demo.units.find((u) => u.id === item.unitId)!;
    const before = h.messages(unit.chatId).length;

    const bad = await desk.post<ApiError>('/desk/api/schedule/move', { themeId: item.themeId, month: 13 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('月份须为 1–12');
    const same = await desk.post<ApiError>('/desk/api/schedule/move', { themeId: item.themeId, month: from.month });
    expect(same.status).toBe(409);

    const moved = await desk.post<ScheduleMoveResult>('/desk/api/schedule/move', { themeId: item.themeId, month: to });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ ok: true, mode: 'notify', from: from.month, to });
    expect(moved.body.board.months[to - 1]!.items.some((i) => i.themeId === item.themeId)).toBe(true);
    await h.drainOutbox();
    const notices = h
      .messages(unit.chatId)
      .slice(before)
      .map((m) => JSON.stringify(m.card ?? {}));
    expect(notices.some((c) => c.includes('活动月份已调整') && c.includes(`${to}月`))).toBe(true);
    const row = await h.db.auditLog.findFirst({ where: { action: 'schedule.move', entityId: item.themeId } });
    expect(row?.actorOpenId).toBe(h.demo.coordinatorOpenId);

    // The .docx 计划安排表 reflects the move; its table is read back from word/document.xml.
    const res = await desk.fetch('/desk/api/docs/schedule.docx?year=2023');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('wordprocessingml');
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('计划安排表.docx');
    const xml = await unzipEntry(Buffer.from(await res.arrayBuffer()), 'word/document.xml');
    const [table] = docxTables(xml);
    expect(table!.headerRepeated).toBe(true);
    expect(table!.rows[0]).toEqual(['序号', '活动月份', '单位', '活动主题', '活动形式', '联系人', '联系电话']);
    const total = moved.body.board.months.reduce((n, m) => n + m.items.length, 0);
    expect(table!.rows).toHaveLength(total + 1);
    const line = table!.rows.find((r) => r[3] === item.title && r[2] === item.unitName)!;
    expect(line[1]).toBe(`${to}月`);
    // GB/T 9704: A4, margins 37/35/28/26 mm (twips), 小标宋 22 pt title, 仿宋 16 pt body.
    const sect = xml.match(/<w:sectPr>[\s\S]*<\/w:sectPr>/)?.[0] ?? '';
    expect(sect).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(sect).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(xml).toContain('w:eastAsia="方正小标宋简体"');
    expect(xml).toMatch(/<w:sz w:val="44"\/>/);
    expect(xml).toContain('w:eastAsia="仿宋_GB2312"');
    expect(docxText(xml)).toContain('长沙县政务公开和政务服务工作领导小组办公室');
  });

  it('builds the evaluation announcement and the report to the city as Word documents', async () => {
    for (const [kind, title] of [
      ['evaluation', '关于2023年度“最佳政务公开主题日活动”评选结果的通报'],
      ['report', '长沙县2023年政务公开主题日活动开展情况的报告'],
    ] as const) {
      const res = await desk.fetch(`/desk/api/docs/${kind}.docx?year=2023`);
      expect(res.status).toBe(200);
      const xml = await unzipEntry(Buffer.from(await res.arrayBuffer()), 'word/document.xml');
      expect(docxText(xml)).toContain(title);
      expect(docxTables(xml).every((t) => t.headerRepeated)).toBe(true);
    }
    // No evaluation confirmed yet: the announcement is a draft and praises nobody.
    const draft = docxText(await unzipEntry(Buffer.from(await (await desk.fetch('/desk/api/docs/evaluation.docx?year=2023')).arrayBuffer()), 'word/document.xml'));
    expect(draft).toContain('（草稿：评选结果尚未确认，名次按评委已提交的评分计算）');
    expect(draft).toContain('评选结果经确认后另行通报。');
    expect(draft).not.toContain('希望受表扬的单位');
    const report = await unzipEntry(Buffer.from(await (await desk.fetch('/desk/api/docs/report.docx?year=2023')).arrayBuffer()), 'word/document.xml');
    const text = docxText(report);
    expect(text).toContain('佐证材料清单');
    expect(text).toContain('五、典型经验做法');
    expect((await desk.fetch('/desk/api/docs/other.docx?year=2023')).status).toBe(404);
    // The evidence pack the annex refers to.
    const pack = await desk.fetch('/desk/api/docs/evidence.zip?year=2023');
    expect(pack.status).toBe(200);
    expect(await unzipEntry(Buffer.from(await pack.arrayBuffer()), '目录.html')).toContain('2023');
  });

  it('sends a document to the coordinator as a file message through the outbox', async () => {
    const sent = await desk.post<{ ok: boolean; fileName: string }>('/desk/api/docs/schedule/send?year=2023', {});
    expect(sent.status).toBe(200);
    await h.drainOutbox();
    const p2p = h.emulator.p2pChatId(h.demo.coordinatorOpenId);
    expect(h.messages(p2p).some((m) => m.msgType === 'file' && m.fileName === sent.body.fileName)).toBe(true);
  });

  it('streams live events when something is audited (a unit submits)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/desk/api/events`, { headers: { cookie: desk.cookieHeader() }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const seen: DeskEvent[] = [];
    let buffer = '';
    const next = async (want: (e: DeskEvent) => boolean): Promise<DeskEvent> => {
      for (;;) {
        const found = seen.find(want);
        if (found) return found;
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += new TextDecoder().decode(value);
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const chunk = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = chunk.split('\n').find((l) => l.startsWith('data: '));
          if (data) seen.push(JSON.parse(data.slice(6)) as DeskEvent);
        }
      }
    };
    await next((e) => e.type === 'hello');
    // Give the poller its first look (it learns the existing rows), then the chat changes a unit's
    // submission window (the same signal as a unit submitting: an audited submission change).
    await new Promise((r) => setTimeout(r, 1500));
    // In the campaign's own year: once all of 2023 is past (the harness's clock is in 2026) a
    // reopening is refused, as it would only send the unit to a form that refuses every month.
    const now = h.clock.now();
    h.clock.set(atShanghai('2023-06-01', '10:00'));
    try {
      await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, `重新开放 2023 ${h.demo.units[12]!.name}`);
    } finally {
      h.clock.set(now);
    }
    expect(await h.db.auditLog.count({ where: { action: { in: ['submission.reopen', 'reopen'] }, decision: 'allow' } })).toBeGreaterThan(0);
    const e = await next((x) => x.type === 'submission');
    expect(e.type).toBe('submission');
    controller.abort();
  });

  it('filters the audit log and exports it as CSV', async () => {
    // The coordinator moves an activity first, so the log holds a schedule.move of this test's own.
    const board = await desk.json<ScheduleBoard>('/desk/api/schedule?year=2023');
    const from0 = board.body.months.findLast((m) => m.items.length > 0)!;
    const moved = await desk.post<ScheduleMoveResult>('/desk/api/schedule/move', { themeId: from0.items[0]!.themeId, month: from0.month === 1 ? 2 : 1 });
    expect(moved.status).toBe(200);
    const from = '2020-01-01';
    const rows = await desk.json<AuditResponse>(`/desk/api/audit?from=${from}&action=schedule.move`);
    expect(rows.status).toBe(200);
    expect(rows.body.rows.length).toBeGreaterThan(0);
    expect(rows.body.rows.every((r) => r.action.startsWith('schedule.move'))).toBe(true);
    expect(rows.body.rows[0]!.actorName).toBe('李成英');
    const csv = await desk.fetch(`/desk/api/audit?from=${from}&action=schedule.move&format=csv`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('schedule.move');
    const bad = await desk.json<ApiError>('/desk/api/audit?from=2023/1/1');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('YYYY-MM-DD');
  });

  it('lists summaries, units, settings and evaluation; edits a unit; imports a directory with row errors', async () => {
    const sums = await desk.json<SummariesResponse>('/desk/api/summaries?year=2023');
    expect(sums.status).toBe(200);
    expect(sums.body.items.length).toBeGreaterThan(0);
    expect(sums.body.items[0]).toHaveProperty('missing');
    const units = await desk.json<UnitsResponse>('/desk/api/units');
    const unit = units.body.find((u) => u.kind === 'town')!;
    const renamed = await desk.json<UnitItem>(`/desk/api/units/${unit.id}`, { method: 'PUT', body: JSON.stringify({ sortOrder: 77 }), headers: { 'content-type': 'application/json' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.sortOrder).toBe(77);
    const badKind = await desk.json<ApiError>(`/desk/api/units/${unit.id}`, { method: 'PUT', body: JSON.stringify({ kind: '乡' }), headers: { 'content-type': 'application/json' } });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error).toContain('单位类别只能是');
    expect(await h.db.auditLog.count({ where: { action: 'unit.update', entityId: unit.id, actorOpenId: h.demo.coordinatorOpenId } })).toBe(1);

    const csv = '单位名称,单位类型,联系人,联系电话\n新设街道,街道,王五,13800138000\n,镇,赵六,123\n';
    const rejected = await desk.json<UnitImportResult>('/desk/api/units/import', { method: 'POST', body: csv, headers: { 'content-type': 'application/octet-stream' } });
    expect(rejected.status).toBe(422);
    expect(rejected.body.applied).toBe(false);
    expect(rejected.body.errors.map((e) => e.row)).toContain(3);
    expect(await h.db.unit.count({ where: { name: '新设街道' } })).toBe(0);
    const good = '单位名称,单位类型,联系人,联系电话\n新设街道,街道,王五,13800138000\n';
    const dry = await desk.json<UnitImportResult>('/desk/api/units/import?dryRun=1', { method: 'POST', body: good, headers: { 'content-type': 'application/octet-stream' } });
    expect(dry.body).toMatchObject({ ok: true, applied: false });
    const applied = await desk.json<UnitImportResult>('/desk/api/units/import', { method: 'POST', body: good, headers: { 'content-type': 'application/octet-stream' } });
    expect(applied.body).toMatchObject({ ok: true, applied: true, created: 1 });
    expect(await h.db.auditLog.count({ where: { action: 'directory.import', actorOpenId: h.demo.coordinatorOpenId } })).toBe(1);

    const settings = await desk.json<SettingsResponse>('/desk/api/settings?year=2023');
    expect(settings.body.coordinators.map((c) => c.openId)).toContain(h.demo.coordinatorOpenId);
    // The settings as the office reads them: named in Chinese, no keys or JSON (reminderOffsets [7,3,1,0]).
    expect(settings.body.settingLines).toContainEqual({ label: '截止提醒', value: '截止前 7 个工作日、3 个工作日、1 个工作日、截止当天' });
    expect(settings.body.settingLines).toContainEqual({ label: '逐级提醒', value: '群内提醒 → 私聊联系人 → 加急 → 告知分管领导' });
    for (const line of settings.body.settingLines) expect(`${line.label}${line.value}`).not.toMatch(/[{[\]"]|[a-z]{3,}/);
    const ev = await desk.json<EvaluationResponse>('/desk/api/evaluation?year=2023');
    expect(ev.status).toBe(200);
  });

  it('expires the session', async () => {
    const own = new DeskClient(h.url);
    await own.signIn(h.demo.coordinatorOpenId);
    expect((await own.json<Me>('/desk/api/me')).status).toBe(200);
    const now = h.clock.now();
    h.clock.set(new Date(now.getTime() + 9 * 3600_000));
    try {
      expect((await own.json<ApiError>('/desk/api/me')).status).toBe(401);
    } finally {
      h.clock.set(now); // the other tests' sessions stay valid, whatever runs next
    }
  });
});
