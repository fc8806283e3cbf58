// `holidays import notice.txt [--year 2027] [--yes]`: the State Council's holiday notice from a text
// file. Prints every holiday and adjusted working day with its weekday; writes the days as
// calendar overrides (source 'notice', replacing an earlier import of the year) only with --yes.
import { readFile } from 'node:fs/promises';
import { audit } from '../../app/audit.ts';
import { parseHolidayNotice } from '../../domain/holiday-notice.ts';
import { applyHolidayImport, describePlan, planImport } from '../../usecases/reminders/holiday-import.ts';
import { defineCliCommand, operatorOf } from '../io.ts';

export const holidaysImport = defineCliCommand({
  usage: 'holidays import <通知.txt> [--year 2027] [--yes] [--operator ou_xxx]',
  summary: '从国务院办公厅节假日安排通知（文本文件）导入放假和调休上班日期（先预览，--yes 写入）',
  flags: { year: { type: 'string' }, yes: { type: 'boolean' }, operator: { type: 'string' } },
  positionals: true,
  parse(values, positionals) {
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? '缺少通知文本文件' : `多余的参数：${positionals.slice(1).join(' ')}`);
    let year: number | undefined;
    if (values.year !== undefined) {
      year = Number(values.year);
      if (!/^\d{4}$/.test(values.year) || year < 2000 || year > 2100) throw new Error('--year 应为四位年份，例如 --year 2027');
    }
    return { file: positionals[0]!, year, operator: operatorOf(values.operator), yes: values.yes === true };
  },
  async run({ file, year, operator, yes }, io) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      io.stderr(`无法读取 ${file}：${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
    const parsed = parseHolidayNotice(text, year);
    if (!parsed.ok) {
      io.stderr(`${parsed.error}\n没有写入任何日期。`);
      return 1;
    }
    const notice = parsed.notice;
    const db = await io.openDb();
    const view = describePlan(await planImport(db.client, notice));
    io.stdout(`${notice.year}年节假日安排：放假 ${view.holidayCount} 天，调休上班 ${view.workdayCount} 天`);
    for (const f of view.festivals) io.stdout(`${f.festival}：放假 ${f.holidays}${f.workdays ? `；调休上班 ${f.workdays}` : ''}`);
    for (const d of view.days) io.stdout([d.date, d.weekday, d.kind, d.festival, d.remark].join('\t').trimEnd());
    for (const n of view.notes) io.stdout(n);
    if (!yes) {
      io.stdout('这是预览，没有写入。核对无误后加 --yes 重新运行以写入。');
      return 0;
    }
    const now = io.now();
    const result = await db.client.$transaction((tx) => applyHolidayImport(tx, { year: notice.year, days: notice.days, actor: operator, now }, (entry) => audit(tx, { ...entry, actor: operator }, now)));
    io.stdout(`已写入 ${result.written} 天${result.removed > 0 ? `，替换此前导入的 ${result.removed} 天` : ''}${result.keptManual > 0 ? `，保留手动设置 ${result.keptManual} 天` : ''}。`);
    return 0;
  },
});
