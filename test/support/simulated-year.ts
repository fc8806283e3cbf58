// A whole campaign year on the fake clock through the real pipeline (issue 17 goal 4), shared by
// test/campaign/simulated-year.test.ts (which checks the outcomes) and `npm run bench -- year`
// (which prints its duration beside the 10 s goal). See the test for what happens when.
import { startHarness, type DemoUnitInfo, type Harness, type HarnessOptions } from './harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { addDays, atShanghai } from '../../src/domain/time.ts';
import { buttons, buttonValue, clickForm, lastInteractive, waitUntil } from '../submissions/support.ts';
import { actionValues, currentCard, lastBotCard } from '../review/support.ts';
import { goodForm } from '../summaries/support.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';

export const SIM_UNITS = 60;
const INTRO = '组织人大代表、政协委员和群众代表实地走访重点项目现场，介绍政策落实情况并听取意见建议。';
/** Units submit on one of these days (15:00); every twelfth unit never does. */
export const SUBMIT_DAYS = ['2023-03-24', '2023-03-29', '2023-04-03', '2023-04-06', '2023-04-07'];
export const neverSubmits = (i: number) => i % 12 === 11;
/** Units whose summary never arrives (they keep getting summary reminders). */
export const neverSummarises = (i: number) => i % 6 === 0;
export const themeMonth = (i: number) => 5 + (i % 7);
const pad = (n: number) => String(n).padStart(2, '0');
/** The summary arrives on the 5th of the month after the activity, 10:00. */
export const summaryDay = (i: number) => `2023-${pad(themeMonth(i) + 1)}-05`;

export interface SimulatedYearResult {
  /** wall time of the whole run (harness start to the checks' end); printed, never asserted */
  ms: number;
  /** where it went: app start + directory + launch, the daily ticks (jobs + outbox), the day's events */
  phases: { setupMs: number; ticksMs: number; eventsMs: number };
  units: number;
  submitted: number;
  reminders: number;
  outboxSent: number;
}

/** Runs the year; `check` gets the harness at the end. Shared by the test and `npm run bench -- year`. */
export async function simulateYear(
  provider: Provider,
  check?: (h: Harness, units: DemoUnitInfo[]) => Promise<void>,
  harness: Partial<HarnessOptions> = {},
): Promise<SimulatedYearResult> {
  const t0 = performance.now();
  const clock = new FakeClock(atShanghai('2023-03-23', '09:00'));
  const h = await startHarness({ provider, clock, ...harness, env: { EVIDENCE_CHECK_LINKS: 'false', ...harness.env } });
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

    const setupMs = performance.now() - t0;
    let ticksMs = 0;
    let eventsMs = 0;
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
      const t1 = performance.now();
      await h.tick(atShanghai(day, '09:45'));
      await h.drainOutbox();
      const t2 = performance.now();
      ticksMs += t2 - t1;
      const todo = events.get(day);
      if (todo) {
        clock.set(atShanghai(day, day < '2023-04-08' ? '15:00' : '10:00'));
        for (const fn of todo) await fn();
        await h.drainOutbox();
        eventsMs += performance.now() - t2;
      }
    }
    await h.drainOutbox();
    const result: SimulatedYearResult = {
      ms: 0,
      phases: { setupMs, ticksMs, eventsMs },
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

