// A whole campaign year on the fake clock through the real pipeline (issue 17 goal 4): 60 units,
// the reminder job ticked every day from the notice to the end of December, liaisons submitting
// through the 申报 form card, the coordinator reviewing on the 审核 card and publishing the schedule,
// liaisons filing their activity summaries through the 总结 card. Every step goes through the bot's
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
import { SIM_UNITS, neverSubmits, neverSummarises, simulateYear, summaryDay, type SimulatedYearResult } from '../support/simulated-year.ts';

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
      for (const f of await h.db.outboxMessage.findMany({ where: { status: { not: 'sent' } } })) console.log('[simulated year] open outbox row', f.op, f.target, f.idempotencyKey, f.lastErrorCode, f.lastError);
      facts = { units, campaignStatus: campaign.status, submittedOn, logs, themes, versions, outbox };
    });
    console.log(`[simulated year, ${provider}] ${result.units} units, ${result.submitted} submitted, ${result.reminders} reminders, ${result.outboxSent} messages delivered in ${(result.ms / 1000).toFixed(1)} s (goal < 10 s; setup ${sec(result.phases.setupMs)}, daily ticks ${sec(result.phases.ticksMs)}, events ${sec(result.phases.eventsMs)})`);
  }, 600_000);

  let facts: {
    units: DemoUnitInfo[];
    campaignStatus: string;
    submittedOn: Map<string, string>;
    logs: { unitId: string | null; kind: string; date: string; status: string; channel: string }[];
    themes: { submission: { unitId: string }; summary: { status: string; submittedAt: Date | null } | null; reviewStatus: string; scheduledMonth: number | null }[];
    versions: number;
    outbox: { status: string; _count: number }[];
  };

  it('every unit but the non-submitters submitted through the form', () => {
    expect(facts.units).toHaveLength(SIM_UNITS);
    const expected = facts.units.filter((_, i) => !neverSubmits(i)).map((u) => u.name).sort();
    expect(facts.units.filter((u) => facts.submittedOn.has(u.id)).map((u) => u.name).sort()).toEqual(expected);
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
    expect(facts.campaignStatus).toBe('scheduled');
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
    const open = facts.outbox.filter((o) => o.status !== 'sent');
    expect(open).toEqual([]);
    expect(result.outboxSent).toBeGreaterThan(result.reminders);
  });
});
