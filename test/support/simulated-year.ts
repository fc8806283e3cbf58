// A whole campaign year on the fake clock through the real pipeline (issue 17 goal 4), shared by
// test/campaign/simulated-year.test.ts (which checks the outcomes) and `npm run bench -- year`
// (which prints its duration beside the 10 s goal). See the test for what happens when.
import { startHarness, type DemoUnitInfo, type Harness, type HarnessOptions } from './harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { addDays, atShanghai } from '../../src/domain/time.ts';
import { buttons, buttonValue, clickForm, lastInteractive, waitUntil } from '../submissions/support.ts';
import { actionValues, currentCard, lastBotCard } from '../review/support.ts';
import { goodForm } from '../summaries/support.ts';
import type { Provider } from '../../src/adapters/db/schema/providers.ts';
import type { CardCallbackResult } from '../../src/emulator/types.ts';

/** What a card callback answers when its handler runs past Feishu's budget (src/adapters/http/feishu-routes.ts). */
const LATE_TOAST = '正在处理，请稍候';
/** The client's code for a callback answered later than 3 s (src/emulator/types.ts CardCallbackResult.error). */
const CALLBACK_TIMEOUT = '200341';

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
/**
 * December: the coordinator opens the evaluation and names the judges (12-01), they score what has
 * a summary (12-04), the results are published (12-05, after the November summaries came in unscored).
 */
export const EVALUATION_OPEN_DAY = '2023-12-01';
export const SCORING_DAY = '2023-12-04';
export const RESULTS_DAY = '2023-12-05';
/** Two judges from outside the directory (named with @) and one unit's liaison (named from the directory; abstains on that unit). */
export const OUTSIDE_JUDGES = [
  { openId: 'ou_sim_judge_chen', name: '陈评审' },
  { openId: 'ou_sim_judge_lin', name: '林专家' },
];
/** The unit whose primary liaison is the third judge (it submits and summarises). */
export const JUDGE_UNIT = SIM_UNITS - 2;
/**
 * What judge `j` gives unit `i`'s activity on each of the four default criteria (0–10); read from
 * the summary it filed (`goodForm(month, i)`: 30 + i citizens took part), so it differs by unit and judge.
 */
export const judgeScore = (i: number, j: number) => 4 + ((30 + i + 2 * j) % 7);

export interface SimulatedYearResult {
  /** wall time of the whole run (harness start to the checks' end); printed, never asserted */
  ms: number;
  /** CPU time this process spent meanwhile (user + system): less swayed by a busy machine than `ms` */
  cpuMs: number;
  /**
   * where it went: app start + directory + launch; the daily ticks (jobs, then the outbox drained);
   * the day's events (people acting, with the drains in between), and of all of it the drains
   */
  phases: { setupMs: number; ticksMs: number; tickJobsMs: number; eventsMs: number; drainsMs: number; drains: number };
  units: number;
  submitted: number;
  reminders: number;
  outboxSent: number;
  /**
   * clicks the client gave up on (answer later than 3 s, a loaded machine): a delayed card update
   * for such a callback is refused by Feishu (230001, "card callback has not been answered yet")
   */
  timedOutClicks: number;
  /** the 评选进度 card's text as the coordinator confirmed the winners (readiness warnings included) */
  resultsCardText: string;
  /** calls the emulator answered, and of them those it refused for Feishu's rate limits (230020 per chat or message, HTTP 429 per API) */
  feishuCalls: number;
  rateRefusals: number;
  /** those refusals, each as the call and its answer (what a failure names) */
  refusedCalls: string[];
  /** SQL statements the app sent over the whole run (the year's database work, whatever the machine's speed) */
  statements: number;
  /** wall time the rate waits would have cost: how far the virtual rate timeline ran ahead */
  rateWaitsSkippedMs: number;
}

/** Runs the year; `check` gets the harness at the end. Shared by the test and `npm run bench -- year`. */
export async function simulateYear(provider: Provider, check?: (h: Harness, units: DemoUnitInfo[]) => Promise<void>, harness: Partial<HarnessOptions> = {}): Promise<SimulatedYearResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const clock = new FakeClock(atShanghai('2023-03-23', '09:00'));
  // Feishu counts its rate windows in real seconds, so the app waits real seconds for them (see
  // src/ports/rate-time.ts). Here the outbox's limiter and the emulator share a virtual timeline
  // instead: every fan-out past 50 messages is still paced to Feishu's limits, and the emulator
  // still refuses what breaks them (the test asserts it refused nothing), but a wait costs no wall time.
  const rateTime = new VirtualRateTime();
  const h = await startHarness({ provider, clock, rateTime, ...harness, env: { EVIDENCE_CHECK_LINKS: 'false', ...harness.env } });
  let drainsMs = 0;
  let drains = 0;
  const drainOutbox = h.drainOutbox.bind(h);
  h.drainOutbox = async () => {
    const t = performance.now();
    await drainOutbox();
    drainsMs += performance.now() - t;
    drains++;
  };
  try {
    const units = await addUnits(h, SIM_UNITS);
    const coord = h.demo.coordinatorOpenId;
    const office = h.demo.officeChatId;
    const liaisonOf = (u: DemoUnitInfo) => u.liaisons.find((l) => l.role === 'primary')!.openId;
    const p2p = (openId: string) => h.emulator.p2pChatId(openId);

    /**
     * A card click. Past the callback's budget (a loaded machine) Feishu shows 正在处理 and the card
     * follows as a delayed update, or (answer later than 3 s) the client reports a timeout while the
     * handler finishes: wait until the click was handled and deliver what it queued; the outcome is
     * then checked by what it changed (the toast that would have said so is gone).
     */
    const settle = async (click: Promise<CardCallbackResult>): Promise<CardCallbackResult> => {
      const r = await click;
      if (r.toast?.content !== LATE_TOAST && r.error !== CALLBACK_TIMEOUT) return r;
      if (r.error === CALLBACK_TIMEOUT) timedOutClicks++;
      await waitUntil(async () => (await h.db.processedEvent.count({ where: { eventId: `evt:${r.eventId}` } })) > 0, 120_000);
      await h.drainOutbox();
      return { ...r, toast: { type: 'success', content: `${LATE_TOAST}（已完成）` } };
    };

    // 3月23日: the coordinator launches 2023.
    clock.set(atShanghai('2023-03-23', '10:00'));
    await h.say(coord, office, '发起申报 2023');
    await h.drainOutbox();
    const launch = lastInteractive(h.messages(office))!;
    const launched = await settle(clickForm(h, coord, launch.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' }));
    if (launched.toast?.type !== 'success') throw new Error(`launch: ${launched.toast?.content}`);
    await h.drainOutbox();
    const campaignId = (await h.db.campaign.findUniqueOrThrow({ where: { year: 2023 } })).id;

    const submit = async (i: number) => {
      const u = units[i]!;
      const notice = [...h.messages(u.chatId)].reverse().find((m) => m.msgType === 'interactive' && buttons(m.card).some((b) => b.text === '填写申报表'));
      if (!notice) throw new Error(`${u.name}: no notice with 填写申报表`);
      const r = await settle(h.click(liaisonOf(u), notice.messageId, buttonValue(notice.card, { text: '填写申报表' })));
      if (r.toast?.type !== 'success') throw new Error(`${u.name} open: ${r.toast?.content}`);
      await h.drainOutbox();
      const form = lastInteractive(h.messages(p2p(liaisonOf(u))))!;
      const s = await settle(
        clickForm(
          h,
          liaisonOf(u),
          form.messageId,
          { name: 'btn_submit' },
          {
            contact_phone: '0731-84875001',
            theme_title: `${u.name}政策面对面`,
            theme_month: String(themeMonth(i)),
            theme_forms: ['forum'],
            theme_intro: INTRO,
          },
        ),
      );
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
          await settle(h.click(coord, messageId, next));
          continue;
        }
        const v = decide[0]!;
        const r = await settle(h.click(coord, messageId, { ...v, decision: 'approve' }, {}));
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
      if (!go)
        throw new Error(
          `no 发布 button: ${buttons(confirm.card)
            .map((b) => b.text)
            .join(', ')}`,
        );
      await settle(h.click(coord, confirm.messageId, go.value));
      // generous ceilings: on a loaded machine the publication and its Excel take a while
      await waitUntil(async () => (await h.db.scheduleVersion.count({ where: { campaignId } })) === 1, 120_000);
      // The Excel follows the commit in the background (a file message and a 下载 link on the
      // coordinator's card): wait for it before the fake clock runs on, as the real one would.
      await waitUntil(async () => (await h.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'schedule-xlsx-link:' } } })) > 0, 120_000);
      await h.drainOutbox();
    };

    const summarise = async (i: number) => {
      const u = units[i]!;
      const liaison = liaisonOf(u);
      const theme = await h.db.theme.findFirstOrThrow({ where: { submission: { campaignId, unitId: u.id }, state: 'active' } });
      await h.say(liaison, u.chatId, '总结');
      await h.drainOutbox();
      const list = lastBotCard(h, u.chatId);
      const r = await settle(h.click(liaison, list.messageId, { a: 'summary.submit', themeId: theme.id }, goodForm(themeMonth(i), i)));
      if (r.toast?.type !== 'success') throw new Error(`${u.name} summary: ${r.toast?.content}`);
    };

    const evaluate = async () => {
      await h.say(coord, office, '开启评选 2023');
      // The outside judges are @-mentioned in a panel group they share with the coordinator.
      for (const j of OUTSIDE_JUDGES) h.emulator.addUser(j);
      const panel = h.emulator.createChat({ name: '评审组', memberOpenIds: [coord, ...OUTSIDE_JUDGES.map((j) => j.openId)], botMember: true }).chatId;
      await h.say(coord, panel, `添加评委 ${OUTSIDE_JUDGES.map((j) => `@${j.name}`).join(' ')}`);
      const insider = units[JUDGE_UNIT]!.liaisons.find((l) => l.role === 'primary')!;
      await h.say(coord, office, `添加评委 ${insider.name}`);
      await h.drainOutbox();
      const answers = [...h.messages(panel), ...h.messages(office).slice(-1)].filter((m) => m.senderType === 'app').map((m) => m.text ?? '');
      if (answers.filter((t) => t.includes('已添加评委')).length !== 2) throw new Error(`adding judges: ${answers.join(' | ')}`);
    };

    /** Each judge scores every activity the card offers, from the invitation to 您已完成全部评分. */
    const score = async () => {
      const unitIndex = new Map(units.map((u, i) => [u.id, i]));
      const themes = await h.db.theme.findMany({ where: { submission: { campaignId } }, select: { id: true, submission: { select: { unitId: true } } } });
      const indexOf = new Map(themes.map((t) => [t.id, unitIndex.get(t.submission.unitId)!]));
      const judges = [...OUTSIDE_JUDGES.map((j) => j.openId), liaisonOf(units[JUDGE_UNIT]!)];
      for (const [j, judge] of judges.entries()) {
        const { messageId, card } = lastBotCard(h, p2p(judge));
        const next = actionValues(card, 'evaluation.next')[0];
        if (!next) throw new Error(`judge ${judge}: no 评下一项 on the invitation`);
        const opened = await settle(h.click(judge, messageId, next));
        if (opened.toast?.type === 'error') throw new Error(`judge ${judge} next: ${opened.toast.content}`);
        for (let guard = 0; guard < SIM_UNITS + 1; guard++) {
          const v = actionValues(currentCard(h, messageId), 'evaluation.score')[0];
          if (!v) break;
          const s = String(judgeScore(indexOf.get(String(v.themeId))!, j));
          const r = await settle(h.click(judge, messageId, v, { c_theme_fit: s, c_openness: s, c_publicity: s, c_outcome: s }));
          if (r.toast?.type !== 'success') throw new Error(`judge ${judge} score: ${r.toast?.content}`);
        }
      }
      await h.drainOutbox();
    };

    /** The coordinator reads the ranking with its readiness warnings and publishes the default winners. */
    const publishResults = async () => {
      await h.say(coord, office, '评选进度');
      await h.drainOutbox();
      const progress = lastBotCard(h, office);
      resultsCardText = JSON.stringify(progress.card);
      const winners = selectedValues(progress.card, 'winners');
      const confirm = actionValues(progress.card, 'evaluation.confirm')[0];
      if (!confirm || winners.length === 0) throw new Error('no winners to confirm on the 评选进度 card');
      const r = await settle(h.click(coord, progress.messageId, confirm, { winners }));
      if (r.toast?.type !== 'success') throw new Error(`confirm: ${r.toast?.content}`);
      await h.drainOutbox();
    };

    let resultsCardText = '';
    let timedOutClicks = 0;
    const setupMs = performance.now() - t0;
    drainsMs = 0;
    drains = 0;
    let ticksMs = 0;
    let tickJobsMs = 0;
    let eventsMs = 0;
    const events = new Map<string, (() => Promise<void>)[]>();
    const on = (day: string, fn: () => Promise<void>) => events.set(day, [...(events.get(day) ?? []), fn]);
    units.forEach((_, i) => {
      if (!neverSubmits(i)) on(SUBMIT_DAYS[i % SUBMIT_DAYS.length]!, () => submit(i));
      if (!neverSubmits(i) && !neverSummarises(i)) on(summaryDay(i), () => summarise(i));
    });
    on('2023-04-10', review);
    on('2023-04-11', publish);
    on(EVALUATION_OPEN_DAY, evaluate);
    on(SCORING_DAY, score);
    on(RESULTS_DAY, publishResults);

    // Every day from the notice to the year's end: the jobs tick at 09:45 (within every reminder's
    // grace period), the outbox is delivered, then the day's events happen (10:00–15:00).
    for (let day = '2023-03-24'; day <= '2023-12-31'; day = addDays(day, 1)) {
      const t1 = performance.now();
      await h.tick(atShanghai(day, '09:45'));
      tickJobsMs += performance.now() - t1;
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
    // read before the counts below, which are the check's, not the year's
    const statements = h.app.database.statements?.() ?? 0;
    const refused = h.emulator.calls().filter((c) => c.code === 230020 || (c.status === 429 && !c.fault));
    const result: SimulatedYearResult = {
      ms: 0,
      cpuMs: 0,
      phases: { setupMs, ticksMs, tickJobsMs, eventsMs, drainsMs, drains },
      units: units.length,
      submitted: await h.db.submission.count({ where: { campaignId, status: 'submitted' } }),
      reminders: await h.db.reminderLog.count({ where: { status: 'sent' } }),
      outboxSent: await h.db.outboxMessage.count({ where: { status: 'sent' } }),
      resultsCardText,
      timedOutClicks,
      feishuCalls: h.emulator.calls().length,
      statements,
      rateRefusals: refused.length,
      refusedCalls: refused.map((c) => `${c.method} ${c.path} → ${c.status} ${c.code ?? ''} at ${c.at.toISOString()} (${JSON.stringify(c.body ?? {}).slice(0, 160)})`),
      rateWaitsSkippedMs: rateTime.skippedMs,
    };
    await check?.(h, units);
    result.ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    result.cpuMs = (cpu.user + cpu.system) / 1000;
    return result;
  } finally {
    await h.stop();
  }
}

/** The default values of a card's multi-select (the options chosen when the card was built). */
function selectedValues(card: unknown, name: string): string[] {
  let found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const rec = node as Record<string, unknown>;
      if (rec.name === name && Array.isArray(rec.selected_values)) found = rec.selected_values.map(String);
      Object.values(rec).forEach(walk);
    }
  };
  walk(card);
  return found;
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
