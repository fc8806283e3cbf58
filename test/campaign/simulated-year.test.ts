// A whole campaign year on the fake clock through the real pipeline (issue 17 goal 4): 60 units,
// the reminder job ticked every day from the notice to the end of December, liaisons submitting
// through the 申报 form card, the coordinator reviewing on the 审核 card and publishing the schedule,
// liaisons filing their activity summaries through the 总结 card. Every step goes through the bot's
// dispatch (signed webhook pushes / card callbacks from the emulator), the outbox worker and the
// real SDK over HTTP. Checks outcomes, not timings: each unit is reminded only while it owes, only on
// working days; the schedule is published; the results are there. Its duration is printed
// (`npm run bench -- year` prints it beside the 10 s goal); no assertion depends on it.
import { beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { startHarness, type DemoUnitInfo, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { addDays, atShanghai, shanghaiDate } from '../../src/domain/time.ts';
import { WorkCalendar } from '../../src/domain/workdays.ts';
import { buttons, buttonValue, clickForm, lastInteractive, waitUntil } from '../submissions/support.ts';
import { actionValues, currentCard, lastBotCard } from '../review/support.ts';
import { goodForm } from '../summaries/support.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';

export const SIM_UNITS = 60;
const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';
/** Units submit on one of these days (15:00); every twelfth unit never does. */
const SUBMIT_DAYS = ['2023-03-24', '2023-03-29', '2023-04-03', '2023-04-06', '2023-04-07'];
const neverSubmits = (i: number) => i % 12 === 11;
/** Units whose summary never arrives (they keep getting summary reminders). */
const neverSummarises = (i: number) => i % 6 === 0;
const themeMonth = (i: number) => 5 + (i % 7);
const pad = (n: number) => String(n).padStart(2, '0');
/** The summary arrives on the 5th of the month after the activity, 10:00. */
const summaryDay = (i: number) => `2023-${pad(themeMonth(i) + 1)}-05`;

export interface SimulatedYearResult {
  ms: number;
  units: number;
  submitted: number;
  reminders: number;
  outboxSent: number;
}

/** Runs the year; `check` gets the harness at the end. Shared by the test and `npm run bench -- year`. */
export async function simulateYear(provider: Provider, check?: (h: Harness, units: DemoUnitInfo[]) => Promise<void>): Promise<SimulatedYearResult> {
  const t0 = performance.now();
  const clock = new FakeClock(atShanghai('2023-03-23', '09:00'));
  const h = await startHarness({ provider, clock, env: { EVIDENCE_CHECK_LINKS: 'false' } });
  try {
    const units = await addUnits(h, SIM_UNITS);
    const coord = h.demo.coordinatorOpenId;
    const office = h.demo.officeChatId;
    const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
    const p2p = (openId: string) => h.emulator.p2pChatId(openId);

    // 3月23日: the coordinator launches 2023.
    clock.set(atShanghai('2023-03-23', '10:00'));
    await h.say(coord, office, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(office))!;
    const launched = await clickForm(h, coord, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' });
    if (launched.toast?.type !== 'success') throw new Error(`launch: ${launched.toast?.content}`);
    await h.drainOutbox();
    const campaignId = (await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } })).id;

    const submit = async (i: number) => {
      const u = units[i]!;
      const notice = [...h.messages(u.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '填写申报表'));
      if (!notice) throw new Error(`${u.name}: no notice with 填写申报表`);
      const r = await h.click(liaisonOf(u), notice.messageId, buttonValue(notice.card, { text: '填写申报表' }));
      if (r.toast?.type !== 'success') throw new Error(`${u.name} open: ${r.toast?.content}`);
      await h.drainOutbox();
      const form = lastInteractive(h.messages(p2p(liaisonOf(u))))!;
      const s = await clickForm(h, liaisonOf(u), form.messageId, { name: 'btn_submit' }, {
        contact_phone: '0731-84875001',
        theme_title: `${u.name}政策面对面`,
        theme_month: String(themeMonth(i)),
        theme_forms: ['forum'],
        theme_intro: INTRO,
      });
      if (s.toast?.type !== 'success') throw new Error(`${u.name} submit: ${s.toast?.content}`);
    };

    const review = async () => {
      await h.say(coord, office, '审核');
      await h.drainOutbox();
      const { messageId } = lastBotCard(h, office);
      const decided = new Set<string>();
      for (let guard = 0; guard < 500; guard++) {
        const card = currentCard(h, messageId);
        const decide = actionValues(card, 'review.decide').filter((v) => v.decision === 'approve' && !decided.has(String(v.themeId)));
        if (decide.length === 0) {
          const next = actionValues(card, 'review.page').find((v) => v.dir === 'next');
          if (!next) break;
          await h.click(coord, messageId, next);
          continue;
        }
        const v = decide[0]!;
        const r = await h.click(coord, messageId, { ...v, decision: 'approve' }, {});
        if (r.toast?.type !== 'success') throw new Error(`approve: ${r.toast?.content}`);
        decided.add(String(v.themeId));
      }
      await h.drainOutbox();
    };

    const publish = async () => {
      await h.say(coord, office, '发布计划');
      await h.drainOutbox();
      const confirm = lastInteractive(h.messages(office))!;
      const go = buttons(confirm.card).find((b) => b.text.startsWith('发布'));
      if (!go) throw new Error(`no 发布 button: ${buttons(confirm.card).map((b) => b.text).join(', ')}`);
      await h.click(coord, confirm.messageId, go.value);
      await waitUntil(async () => (await h.db.scheduleVersion.count({ where: { campaignId } })) === 1);
      await h.drainOutbox();
    };

    const summarise = async (i: number) => {
      const u = units[i]!;
      const liaison = liaisonOf(u);
      const theme = await h.db.theme.findFirstOrThrow({ where: { submission: { campaignId, unitId: u.id }, state: 'active' } });
      await h.say(liaison, u.chatId, '总结');
      await h.drainOutbox();
      const list = lastBotCard(h, u.chatId);
      const r = await h.click(liaison, list.messageId, { a: 'summary.submit', themeId: theme.id }, goodForm(themeMonth(i), i));
      if (r.toast?.type !== 'success') throw new Error(`${u.name} summary: ${r.toast?.content}`);
    };

    const events = new Map<string, (() => Promise<void>)[]>();
    const on = (day: string, fn: () => Promise<void>) => events.set(day, [...(events.get(day) ?? []), fn]);
    units.forEach((_, i) => {
      if (!neverSubmits(i)) on(SUBMIT_DAYS[i % SUBMIT_DAYS.length]!, () => submit(i));
      if (!neverSubmits(i) && !neverSummarises(i)) on(summaryDay(i), () => summarise(i));
    });
    on('2023-04-10', review);
    on('2023-04-11', publish);

    // Every day from the notice to the year's end: the jobs tick at 09:45 (within every reminder's
    // grace period), the outbox is delivered, then the day's events happen (10:00–15:00).
    for (let day = '2023-03-24'; day <= '2023-12-31'; day = addDays(day, 1)) {
      await h.tick(atShanghai(day, '09:45'));
      await h.drainOutbox();
      const todo = events.get(day);
      if (todo) {
        clock.set(atShanghai(day, day < '2023-04-08' ? '15:00' : '10:00'));
        for (const fn of todo) await fn();
        await h.drainOutbox();
      }
    }
    await h.drainOutbox();
    const result: SimulatedYearResult = {
      ms: 0,
      units: units.length,
      submitted: await h.db.submission.count({ where: { campaignId, status: 'submitted' } }),
      reminders: await h.db.reminderLog.count({ where: { status: 'sent' } }),
      outboxSent: await h.db.outboxMessage.count({ where: { status: 'sent' } }),
    };
    await check?.(h, units);
    result.ms = performance.now() - t0;
    return result;
  } finally {
    await h.stop();
  }
}

/** Adds units (a chat each, with a liaison and a backup) beside the demo county's until there are `total`. */
async function addUnits(h: Harness, total: number): Promise<DemoUnitInfo[]> {
  const units = [...h.demo.units];
  const users: { openId: string; name: string; title: string }[] = [];
  const chats: { chatId: string; name: string; memberOpenIds: string[]; botMember: boolean }[] = [];
  for (let n = units.length + 1; units.length < total; n++) {
    const name = `县模拟单位${n}`;
    const chatId = `oc_sim_${n}`;
    const liaisons = [
      { openId: `ou_sim_${n}_a`, name: `联系人${n}甲`, role: 'primary' },
      { openId: `ou_sim_${n}_b`, name: `联系人${n}乙`, role: 'backup' },
    ];
    const unit = await h.db.unit.create({ data: { name, kind: 'department', sortOrder: 100 + n, chatId } });
    for (const l of liaisons) await h.db.liaison.create({ data: { unitId: unit.id, openId: l.openId, name: l.name, phone: '0731-84875001', role: l.role } });
    await h.db.groupChat.create({ data: { chatId, name: `${name}主题日工作群`, status: 'bound', unitId: unit.id, addedBy: 'system', addedAt: h.clock.now() } });
    for (const l of liaisons) users.push({ openId: l.openId, name: l.name, title: `${name} · 联系人` });
    chats.push({ chatId, name: `${name}主题日工作群`, memberOpenIds: [...liaisons.map((l) => l.openId), h.demo.coordinatorOpenId], botMember: true });
    units.push({ id: unit.id, name, kind: 'department', chatId, liaisons });
  }
  h.emulator.seed({ users, chats });
  return units;
}

describe('a campaign year on the fake clock (sqlite)', STORY, () => {
  let result: SimulatedYearResult;
  const workdays = new WorkCalendar();

  beforeAll(async () => {
    result = await simulateYear('sqlite', async (h, units) => {
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
    console.log(`[simulated year] ${result.units} units, ${result.submitted} submitted, ${result.reminders} reminders, ${result.outboxSent} messages delivered in ${(result.ms / 1000).toFixed(1)} s (goal < 10 s)`);
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
