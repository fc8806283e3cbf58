// 节假日安排 through the bot router and `holidays import` through the CLI, on both databases: a
// preview that writes nothing, confirmation that writes CalendarOverride rows marked as imported,
// a re-import that replaces that year's imported days and leaves manual ones, and refusals.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY } from '../support/kit.ts';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { Bot, type AppServices } from '../../src/app/bot.ts';
import type { MessageEvent } from '../../src/app/events.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { atShanghai } from '../../src/domain/time.ts';
import { registerReminders } from '../../src/handlers/reminders.ts';
import { validateCard } from '../../src/emulator/card-schema.ts';
import { runCli } from '../../src/cli/run.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { holidayCoverageCheck } from '../../src/usecases/reminders/calendar.ts';
import { loadCalendar as loadCalendarForTest } from '../../src/usecases/reminders/shared.ts';
import { cardText, COORDINATOR, makeServices, OFFICE_CHAT, outbox, seedCounty, groupMessage, cardClick as click } from '../reminders/support.ts';
import type { CardJson } from '../../cards/kit.ts';

const NOTICE_2026 = readFileSync(new URL('../fixtures/holiday-notices/2026.txt', import.meta.url), 'utf8');
// A 2027 notice for the test (not a real one: 2027's is not published in the stored pages); its
// weekdays are right for 2027 so the parser accepts it.
const NOTICE_2027 = [
  '国务院办公厅关于2027年部分节假日安排的通知',
  '经国务院批准，现将2027年元旦、春节放假调休日期的具体安排通知如下。',
  '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
  '二、春节：2月6日（农历除夕、周六）至14日（农历正月初八、周日）放假调休，共9天。2月20日（周六）、2月21日（周日）上班。',
  '节假日期间，各地区、各部门要妥善安排好值班工作。',
  '国务院办公厅',
].join('\n');

const message = (sender: string, chatId: string, text: string): MessageEvent => groupMessage(sender, chatId, text, new Date('2026-12-04T02:00:00Z'));
function confirmValue(card: CardJson | undefined): Record<string, unknown> {
  const m = /"value":(\{"a":"calendar\.import_confirm"[^}]*\})/.exec(JSON.stringify(card));
  if (!m) throw new Error('no 确认导入 button');
  return JSON.parse(m[1]!) as Record<string, unknown>;
}

// A sequential story: each test continues from the state the previous one left.
describe.each(PROVIDERS_UNDER_TEST)('节假日安排 import (%s)', STORY, (provider) => {
  let db: TestDatabase;
  let services: AppServices;
  let bot: Bot;
  const clock = new FakeClock(atShanghai('2026-12-04', '10:00'));
  const replyTo = async (m: MessageEvent) => (await outbox(db.client)).find((o) => o.key === `reply:${m.messageId}#1`)!;
  const overrides = () => db.client.calendarOverride.findMany({ orderBy: { date: 'asc' }, select: { date: true, isWorkday: true, note: true, source: true } });

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    services = makeServices(db.client, clock, db.url);
    bot = new Bot(services);
    registerReminders(bot);
    await seedCounty(db.client, { year: 2026, deadline: '2026-04-07', launchedAt: atShanghai('2026-03-23', '10:00'), status: 'scheduled' });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('previews every day with its weekday, writes nothing until 确认导入, then fills the 2027 gap', async () => {
    expect((await holidayCoverageCheck(services, clock.now())).detail).toContain('节假日数据缺少 2027');
    const m = message(COORDINATOR, OFFICE_CHAT, `节假日安排\n${NOTICE_2027}`);
    await bot.dispatch(m);
    const preview = (await replyTo(m)).card!;
    expect(validateCard(preview)).toEqual({ ok: true });
    const text = cardText(preview);
    expect(text).toContain('2027年节假日安排（预览）');
    expect(text).toContain('放假 **12** 天、调休上班 **2** 天');
    expect(text).toContain('2月6日（星期六）至2月14日（星期日），共9天');
    expect(text).toContain('2月20日（星期六）、2月21日（星期日）');
    for (const d of ['2027-01-01', '2027-02-06', '2027-02-14', '2027-02-21']) expect(text).toContain(d);
    expect(text).toContain('农历除夕');
    expect(await db.client.calendarOverride.count()).toBe(0);

    const r = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirmValue(preview)));
    expect(r.response.toast).toMatchObject({ type: 'success', content: '已导入2027年节假日安排' });
    expect(validateCard(r.response.card)).toEqual({ ok: true });
    const rows = await overrides();
    expect(rows).toHaveLength(14);
    expect(rows[0]).toEqual({ date: '2027-01-01', isWorkday: false, note: '元旦', source: 'notice' });
    expect(rows.find((x) => x.date === '2027-02-20')).toEqual({ date: '2027-02-20', isWorkday: true, note: '春节调休上班', source: 'notice' });
    expect(await db.client.auditLog.count({ where: { action: 'calendar.import_notice' } })).toBe(1);
    const calendar = await loadCalendarForTest(db.client);
    expect(calendar.coverage(2027)).toBe('overrides');
    expect(calendar.isWorkday('2027-02-08')).toBe(false);
    expect(calendar.isWorkday('2027-02-21')).toBe(true);
    expect((await holidayCoverageCheck(services, clock.now())).detail).not.toContain('缺少');

    // A second click on the same preview writes nothing more.
    const again = await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirmValue(preview)));
    expect(again.response.toast?.type).toBe('warning');
    expect(await db.client.auditLog.count({ where: { action: 'calendar.import_notice' } })).toBe(1);
  });

  it('a re-import replaces that year’s imported days and leaves manual ones', async () => {
    const manual = message(COORDINATOR, OFFICE_CHAT, '设置工作日 2027-02-14 上班 县里安排');
    await bot.dispatch(manual);
    await db.client.calendarOverride.create({ data: { date: '2027-06-01', isWorkday: false, note: '本地', createdBy: COORDINATOR } });
    // The corrected notice drops 2月21日 as a working day.
    const corrected = NOTICE_2027.replace('、2月21日（周日）上班', '上班');
    const m = message(COORDINATOR, OFFICE_CHAT, `节假日安排 ${corrected}`);
    await bot.dispatch(m);
    const preview = (await replyTo(m)).card!;
    const text = cardText(preview);
    expect(text).toContain('将替换此前导入的 2027 年节假日安排');
    expect(text).toContain('2月21日');
    expect(text).toContain('已手动设置为上班，保留手动设置');
    await bot.dispatch(click(COORDINATOR, OFFICE_CHAT, confirmValue(preview)));
    const rows = await overrides();
    expect(rows.find((x) => x.date === '2027-02-21')).toBeUndefined();
    expect(rows.find((x) => x.date === '2027-02-14')).toEqual({ date: '2027-02-14', isWorkday: true, note: '县里安排', source: 'manual' });
    expect(rows.find((x) => x.date === '2027-06-01')).toEqual({ date: '2027-06-01', isWorkday: false, note: '本地', source: 'manual' });
    expect(rows.filter((x) => x.source === 'notice')).toHaveLength(12);
  });

  it('refuses a notice it cannot fully parse (naming the item) and non-coordinators, writing nothing', async () => {
    const before = await overrides();
    const m = message(COORDINATOR, OFFICE_CHAT, `节假日安排\n${NOTICE_2027.replace('（周五）', '（周四）')}`);
    await bot.dispatch(m);
    const reply = (await replyTo(m)).text!;
    expect(reply).toContain('第一项“一、元旦：');
    expect(reply).toContain('没有写入任何日期');
    const empty = message(COORDINATOR, OFFICE_CHAT, '节假日安排');
    await bot.dispatch(empty);
    expect((await replyTo(empty)).text).toContain('粘贴');
    const liaison = message('ou_xs1', 'oc_xingsha', `节假日安排\n${NOTICE_2027}`);
    await bot.dispatch(liaison);
    expect((await replyTo(liaison)).text).toContain('只有县政务公开办的协调人');
    expect(await overrides()).toEqual(before);
    const forged = await bot.dispatch(click('ou_xs1', 'oc_xingsha', { a: 'calendar.import_confirm', id: '0123456789abcdef' }));
    expect(forged.response.toast?.type).toBe('error');
  });

  it('`holidays import` prints the preview, writes only with --yes, and refuses bad text', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'holidays-'));
    try {
      const file = path.join(dir, 'notice.txt');
      writeFileSync(file, NOTICE_2026);
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIo = { stdout: (t) => out.push(...t.split('\n')), stderr: (t) => err.push(...t.split('\n')), now: () => new Date('2026-12-04T02:00:00Z'), openDb: async () => db };
      expect(await runCli(['holidays', 'import', file], io)).toBe(0);
      expect(out[0]).toBe('2026年节假日安排：放假 33 天，调休上班 6 天');
      expect(out).toContain('2026-01-04\t星期日\t上班\t元旦');
      expect(out).toContain('2026-02-16\t星期一\t放假\t春节');
      expect(out.join('\n')).toContain('内置节假日数据已包含 2026 年');
      expect(out.join('\n')).toContain('--yes');
      expect(await db.client.calendarOverride.count({ where: { date: { startsWith: '2026-' } } })).toBe(0);
      out.length = 0;
      expect(await runCli(['holidays', 'import', file, '--yes'], io)).toBe(0);
      expect(out.join('\n')).toContain('已写入 39 天');
      expect(await db.client.calendarOverride.count({ where: { date: { startsWith: '2026-' }, source: 'notice' } })).toBe(39);
      // The 2027 rows stay as they were.
      expect(await db.client.calendarOverride.count({ where: { date: { startsWith: '2027-' } } })).toBe(14);

      writeFileSync(file, NOTICE_2026.replace('共7天', '共6天'));
      expect(await runCli(['holidays', 'import', file, '--yes'], io)).toBe(1);
      expect(err.join('\n')).toContain('第七项“七、国庆节：');
      expect(await runCli(['holidays', 'import', file, '--year', '2027'], io)).toBe(1);
      expect(await runCli(['holidays', 'import'], io)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
