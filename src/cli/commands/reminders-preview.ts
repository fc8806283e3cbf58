// `reminders preview --year 2023`: the campaign's planned deadline reminders, one per line
// ('2023-03-28 deadline-7'), from the database and the working-day calendar; sends nothing. A date in
// a year without holiday data ends in 暂定 (provisional: counted Monday–Friday).
// `reminders log --year 2023`: every reminder sent or skipped, with its delivery result.
import { parseSettings, PLAN_DEFAULTS } from '../../domain/campaign.ts';
import { deadlineSlots, reminderKindLabel, CHANNEL_LABELS } from '../../domain/reminders.ts';
import { lastCoveredYear, PROVISIONAL_MARK } from '../../domain/workdays.ts';
import { yearOf } from '../../domain/time.ts';
import { loadCalendar } from '../../usecases/reminders/shared.ts';
import { listReminderLog, OUTBOX_STATUS_LABELS } from '../../usecases/reminders/log.ts';
import type { Database } from '../../adapters/db/database.ts';
import { defineCliCommand, type CliCommand, type CliIo } from '../io.ts';

/** Both commands take `--year YYYY` and nothing else, and read the database. */
function yearCommand(usage: string, summary: string, run: (year: number, db: Database, io: CliIo) => Promise<number>): CliCommand {
  return defineCliCommand({
    usage,
    summary,
    flags: { year: { type: 'string' } },
    parse(values) {
      const year = Number(values.year);
      if (!values.year || !Number.isInteger(year) || year < 2000 || year > 2100) throw new Error('--year 应为四位年份，例如 --year 2023');
      return year;
    },
    run: async (year, io) => run(year, await io.openDb(), io),
  });
}

export const remindersPreview = yearCommand('reminders preview --year 2023', '按工作日日历列出某年活动的截止提醒日期（不发送任何消息）', async (year, db, io) => {
  const calendar = await loadCalendar(db.client);
  const campaign = await db.client.campaign.findUnique({ where: { year } });
  const deadline = campaign?.deadline ?? `${year}-${PLAN_DEFAULTS.deadlineMonthDay}`;
  const settings = parseSettings(campaign?.settings);
  if (!campaign) io.stderr(`数据库中没有 ${year} 年的活动，按实施方案默认截止日 ${deadline} 和默认提醒设置计算。/ no ${year} campaign in the database: using the plan's default deadline.`);
  if (calendar.coverage(year) === 'missing') {
    io.stderr(
      `警告：节假日数据只到 ${lastCoveredYear()} 年，${year} 年也没有设置工作日，标“暂定”的日期按周一至周五计算。请用 \`npm run cli -- holidays import 通知.txt\` 导入国务院办公厅的节假日安排（或在协调群发送“节假日安排”加通知全文）。/ warning: no holiday data for ${year}; dates marked 暂定 are provisional.`,
    );
  }
  // A date in a year without holiday data may still move once that year's arrangement is entered.
  const mark = (date: string) => (calendar.coverage(yearOf(date)) === 'missing' ? ` ${PROVISIONAL_MARK}` : '');
  for (const slot of deadlineSlots(deadline, settings.reminderOffsets, calendar)) io.stdout(`${slot.date} ${slot.kind}${mark(slot.date)}`);
  if (campaign) {
    // Units with their own (extended) deadline get their own dates.
    const extended = await db.client.submission.findMany({
      where: { campaignId: campaign.id, deadlineOverride: { not: null }, status: { in: ['pending', 'withdrawn'] } },
      select: { deadlineOverride: true, unit: { select: { name: true } } },
    });
    for (const s of extended) {
      for (const slot of deadlineSlots(s.deadlineOverride!, settings.reminderOffsets, calendar)) io.stdout(`${slot.date} ${slot.kind} ${s.unit.name}${mark(slot.date)}`);
    }
  }
  return 0;
});

export const remindersLog = yearCommand('reminders log --year 2023', '列出某年活动的提醒记录（日期、单位、类型、渠道、状态、投递结果）', async (year, db, io) => {
  const campaign = await db.client.campaign.findUnique({ where: { year } });
  if (!campaign) {
    io.stderr(`数据库中没有 ${year} 年的活动。/ no ${year} campaign in the database.`);
    return 1;
  }
  const { entries } = await listReminderLog(db.client, campaign.id);
  if (entries.length === 0) {
    io.stdout(`${year} 年还没有提醒记录。`);
    return 0;
  }
  const sorted = [...entries].sort((a, b) => a.date.localeCompare(b.date) || a.createdAt.getTime() - b.createdAt.getTime() || a.key.localeCompare(b.key));
  for (const e of sorted) {
    const result = e.status === 'skipped' ? '-' : e.outboxStatus ? (OUTBOX_STATUS_LABELS[e.outboxStatus] ?? e.outboxStatus) : '-';
    io.stdout([e.date, e.unitName, e.kind, reminderKindLabel(e.kind), CHANNEL_LABELS[e.channel] ?? e.channel, e.status, result, e.detail ?? ''].join('\t').trimEnd());
  }
  return 0;
});
