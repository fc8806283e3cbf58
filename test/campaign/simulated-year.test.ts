// A whole campaign year on the fake clock through the real pipeline (issue 17 goal 4): 60 units,
// the reminder job ticked every day from the notice to the end of December, liaisons submitting
// through the 申报 form card, the coordinator reviewing on the 审核 card and publishing the schedule,
// liaisons filing their activity summaries through the 总结 card, and in December the evaluation:
// opened, three judges named (one a unit's liaison, who abstains on that unit), every activity with a
// summary scored on the judges' cards, the results published despite the readiness warnings. Every step goes through the bot's
// dispatch (signed webhook pushes / card callbacks from the emulator), the outbox worker and the
// real SDK over HTTP (test/support/simulated-year.ts), on SQLite and PostgreSQL. Checks outcomes, not timings: each unit is
// reminded only while it owes, only on working days; the schedule is published; the results are
// there. Its duration is printed (`npm run bench -- year` prints it beside the 10 s goal); no
// assertion depends on it.
import { beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import type { DemoUnitInfo } from '../support/harness.ts';
import { shanghaiDate } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { JUDGE_UNIT, OUTSIDE_JUDGES, RESULTS_DAY, SCORING_DAY, SIM_UNITS, judgeScore, neverSubmits, neverSummarises, simulateYear, summaryDay, type SimulatedYearResult } from '../support/simulated-year.ts';

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe.each(PROVIDERS_UNDER_TEST)('a campaign year on the fake clock (%s)', STORY, (provider) => {
  let result: SimulatedYearResult;
  const workdays = new WorkCalendar();

  beforeAll(async () => {
    result = await simulateYear(provider, async (h, units) => {
      const campaign = await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } });
      const subs = await h.db.submission.findMany({ where: { campaignId: campaign.id } });
      const submittedOn = new Map(subs.filter((s) => s.submittedAt).map((s) => [s.unitId, shanghaiDate(s.submittedAt!)]));
      const logs = await h.db.reminderLog.findMany({ where: { campaignId: campaign.id } });
      const themes = await h.db.theme.findMany({ where: { submission: { campaignId: campaign.id }, state: 'active' }, include: { summary: true, submission: true } });
      const versions = await h.db.scheduleVersion.count({ where: { campaignId: campaign.id } });
      const outbox = await h.db.outboxMessage.groupBy({ by: ['status'], _count: true });
      const open = await h.db.outboxMessage.findMany({ where: { status: { not: 'sent' } } });
      for (const f of open) console.log('[simulated year] open outbox row', f.op, f.target, f.idempotencyKey, f.lastErrorCode, f.lastError);
      const evaluation = await h.db.evaluation.findUnique({ where: { campaignId: campaign.id } });
      const judges = await h.db.judge.findMany({ where: { campaignId: campaign.id }, select: { openId: true, unitId: true } });
      const scores = await h.db.score.findMany({ where: { campaignId: campaign.id }, select: { themeId: true, judgeOpenId: true, score: true } });
      const groups = await h.db.groupChat.count({ where: { status: { in: ['bound', 'coordinator'] } } });
      const announced = await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'evaluation.announce:' }, status: 'sent' } });
      const announcement = h
        .messages(units[0]!.chatId)
        .filter((m) => m.msgType === 'interactive')
        .pop();
      facts = {
        units,
        campaignStatus: campaign.status,
        submittedOn,
        logs,
        themes,
        versions,
        outbox,
        open: open.map((f) => ({ op: f.op, status: f.status, code: f.lastErrorCode })),
        evaluation: { status: evaluation?.status, winners: JSON.parse(evaluation?.winners ?? '[]') as string[], judges, scores, groups, announced, announcementText: JSON.stringify(announcement?.card ?? {}) },
      };
    });
    const p = result.phases;
    console.log(
      `[simulated year, ${provider}] ${result.units} units, ${result.submitted} submitted, ${result.reminders} reminders, ${result.outboxSent} messages delivered in ${(result.ms / 1000).toFixed(1)} s, ${sec(result.cpuMs)} CPU (goal < 10 s; setup ${sec(p.setupMs)}, daily ticks ${sec(p.ticksMs)} of which jobs ${sec(p.tickJobsMs)}, events ${sec(p.eventsMs)}; ${p.drains} outbox drains ${sec(p.drainsMs)}; ${result.statements} SQL statements; ${result.feishuCalls} Feishu calls, ${result.rateRefusals} refused for rate limits, ${sec(result.rateWaitsSkippedMs)} of rate waits skipped)`,
    );
  }, 600_000);

  let facts: {
    units: DemoUnitInfo[];
    campaignStatus: string;
    submittedOn: Map<string, string>;
    logs: { unitId: string | null; kind: string; date: string; status: string; channel: string }[];
    themes: { id: string; submission: { unitId: string }; summary: { status: string; submittedAt: Date | null } | null; reviewStatus: string; scheduledMonth: number | null }[];
    versions: number;
    outbox: { status: string; _count: number }[];
    open: { op: string; status: string; code: number | null }[];
    evaluation: {
      status: string | undefined;
      winners: string[];
      judges: { openId: string; unitId: string | null }[];
      scores: { themeId: string; judgeOpenId: string; score: number }[];
      groups: number;
      announced: number;
      announcementText: string;
    };
  };

  it('every unit but the non-submitters submitted through the form', () => {
    expect(facts.units).toHaveLength(SIM_UNITS);
    const expected = facts.units
      .filter((_, i) => !neverSubmits(i))
      .map((u) => u.name)
      .sort();
    expect(
      facts.units
        .filter((u) => facts.submittedOn.has(u.id))
        .map((u) => u.name)
        .sort(),
    ).toEqual(expected);
    expect(result.submitted).toBe(expected.length);
  });

  it('reminds a unit about the deadline only while it had not submitted, and only on working days', () => {
    const sent = facts.logs.filter((l) => l.status === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    for (const l of sent) expect(workdays.isWorkday(l.date), `${l.kind} on ${l.date}`).toBe(true);
    facts.units.forEach((u, i) => {
      const deadline = sent.filter((l) => l.unitId === u.id && l.kind.startsWith('deadline-'));
      const on = facts.submittedOn.get(u.id);
      // ticks run at 09:45, submissions at 15:00: a reminder on the submission day itself is due
      for (const l of deadline) expect(on === undefined || l.date <= on, `${u.name} reminded on ${l.date}, submitted ${on}`).toBe(true);
      if (neverSubmits(i)) expect(new Set(deadline.map((l) => l.kind)), u.name).toEqual(new Set(['deadline-7', 'deadline-3', 'deadline-1', 'deadline-0']));
      if (on === '2023-03-24') expect(deadline, u.name).toEqual([]);
    });
  });

  it('approved and published every submitted theme', () => {
    expect(facts.versions).toBe(1);
    // published in April; closed by the evaluation's results in December
    expect(facts.campaignStatus).toBe('closed');
    expect(facts.themes).toHaveLength(result.submitted);
    for (const t of facts.themes) expect(t.reviewStatus).toBe('approved');
  });

  it('collected the summaries; only the units owing one are reminded about it after its due date', () => {
    const byUnit = new Map(facts.themes.map((t) => [t.submission.unitId, t]));
    facts.units.forEach((u, i) => {
      if (neverSubmits(i)) return;
      const theme = byUnit.get(u.id)!;
      const summaryReminders = facts.logs.filter((l) => l.unitId === u.id && l.status === 'sent' && l.kind.startsWith('summary-due'));
      if (neverSummarises(i)) {
        expect(theme.summary?.status, u.name).not.toBe('submitted');
        expect(summaryReminders.length, `${u.name} summary reminders`).toBeGreaterThan(0);
      } else {
        expect(theme.summary?.status, u.name).toBe('submitted');
        // ticks at 09:45, the summary at 10:00: a reminder on its day is still due
        for (const l of summaryReminders) expect(l.date <= summaryDay(i), `${u.name} ${l.kind} ${l.date}`).toBe(true);
      }
    });
  });

  it('delivered every message: nothing left in the outbox', () => {
    // Only on a machine too loaded to answer a click within Feishu's 3 s: the client gave up on
    // that callback, so Feishu refuses its delayed card update (230001); one per such click at most.
    const refusedLate = facts.open.filter((o) => o.op === 'card_update' && o.status === 'failed' && o.code === 230001);
    expect(refusedLate.length).toBeLessThanOrEqual(result.timedOutClicks);
    expect(facts.open.filter((o) => !refusedLate.includes(o))).toEqual([]);
    expect(result.outboxSent).toBeGreaterThan(result.reminders);
  });

  it("kept Feishu's rate limits: the emulator refused no call for them (on the shared virtual rate timeline)", () => {
    // The year's fan-outs (notices, reminders, the plan to 60 groups) pass 50 calls a second: the
    // outbox waited for the windows on the virtual timeline, and the emulator counted on the same one.
    expect(result.feishuCalls).toBeGreaterThan(result.outboxSent);
    expect(result.rateRefusals, result.refusedCalls.join('\n')).toBe(0);
  });

  it('evaluated in December: judges scored every summarised activity on their cards, the liaison judge abstained on their unit', () => {
    const e = facts.evaluation;
    const judgeUnit = facts.units[JUDGE_UNIT]!;
    const insider = judgeUnit.liaisons.find((l) => l.role === 'primary')!.openId;
    expect(e.judges.map((j) => j.openId).sort()).toEqual([...OUTSIDE_JUDGES.map((j) => j.openId), insider].sort());
    expect(e.judges.find((j) => j.openId === insider)?.unitId).toBe(judgeUnit.id);
    // what had a summary on the scoring day (November's summaries come in later)
    const scorable = facts.themes.filter((t) => t.summary?.status === 'submitted' && shanghaiDate(t.summary.submittedAt!) < SCORING_DAY);
    expect(scorable.length).toBeLessThan(facts.themes.filter((t) => t.summary?.status === 'submitted').length);
    const ownTheme = facts.themes.find((t) => t.submission.unitId === judgeUnit.id)!;
    expect(scorable).toContain(ownTheme);
    // four criteria per (activity, judge); the insider skips their own unit's activity
    expect(e.scores).toHaveLength((scorable.length * 3 - 1) * 4);
    expect(e.scores.some((s) => s.judgeOpenId === insider && s.themeId === ownTheme.id)).toBe(false);
    // the scores are the ones each judge gave for that unit
    const judgeIndex = new Map([...OUTSIDE_JUDGES.map((j) => j.openId), insider].map((id, j) => [id, j]));
    const unitIndex = new Map(facts.units.map((u, i) => [u.id, i]));
    const themeUnit = new Map(facts.themes.map((t) => [t.id, unitIndex.get(t.submission.unitId)!]));
    for (const s of e.scores) expect(s.score).toBe(judgeScore(themeUnit.get(s.themeId)!, judgeIndex.get(s.judgeOpenId)!));
  });

  it('published the results despite the readiness warnings, with the ranking computed by hand; reminders stop', () => {
    const e = facts.evaluation;
    const summarised = facts.themes.filter((t) => t.summary?.status === 'submitted');
    const scorable = summarised.filter((t) => shanghaiDate(t.summary!.submittedAt!) < SCORING_DAY);
    // warned before publishing: fewer than five judges, the activities without a summary, the late summaries nobody scored
    expect(result.resultsCardText).toContain('公布前请注意');
    expect(result.resultsCardText).toContain('只有 3 位评委');
    expect(result.resultsCardText).toContain(`${facts.themes.length} 项入选活动中只有 ${summarised.length} 项提交了总结，其余 ${facts.themes.length - summarised.length} 项不参加评选`);
    expect(result.resultsCardText).toContain(`${summarised.length - scorable.length} 项已总结的活动还没有完整评分`);
    // default rubric: total = 2.5 × the four equal scores = 10 × score; fewer than five judges: the plain mean
    const judgeUnitId = facts.units[JUDGE_UNIT]!.id;
    const finals = scorable.map((t) => {
      const i = facts.units.findIndex((u) => u.id === t.submission.unitId);
      const js = [0, 1, 2].filter((j) => !(j === 2 && t.submission.unitId === judgeUnitId));
      return { unitId: t.submission.unitId, final: Math.round((js.reduce((a, j) => a + 10 * judgeScore(i, j), 0) / js.length) * 100) / 100 };
    });
    const expected = finals
      .filter((f) => finals.filter((g) => g.final > f.final).length < 3)
      .map((f) => f.unitId)
      .sort();
    const themeUnit = new Map(facts.themes.map((t) => [t.id, t.submission.unitId]));
    expect(e.status).toBe('announced');
    expect(e.winners.map((w) => themeUnit.get(w)).sort()).toEqual(expected);
    expect(e.announced).toBe(e.groups);
    expect(e.announcementText).toContain('最佳政务公开主题日活动');
    // a closed campaign reminds nobody
    expect(facts.logs.filter((l) => l.date > RESULTS_DAY)).toEqual([]);
  });
});
