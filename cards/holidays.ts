// The 节假日安排 import: the preview of a pasted State Council notice (every holiday and adjusted
// working day with its weekday, and what the import replaces) with 确认导入, and the result.
import { bold, button, buttonRow, card, escapeMarkdown, markdown, note, strong, table, type CardElement, type CardJson } from './kit.ts';
import { calendarActions } from './actions.ts';

export interface HolidayImportDayView {
  /** 2027-02-06 */
  date: string;
  /** 星期六 */
  weekday: string;
  /** 放假 | 上班 */
  kind: string;
  festival: string;
  /** 农历除夕; 已手动设置为上班，保留 … */
  remark: string;
}

export interface HolidayImportFestivalView {
  festival: string;
  /** 2月6日（星期六）至2月14日（星期日），共9天 */
  holidays: string;
  /** 2月20日（星期六）、… or '' */
  workdays: string;
}

export interface HolidayImportPreviewView {
  year: number;
  previewId: string;
  festivals: HolidayImportFestivalView[];
  days: HolidayImportDayView[];
  holidayCount: number;
  workdayCount: number;
  /** notes on what changes: earlier import replaced, manual settings kept, package data overridden */
  notes: string[];
}

export function holidayImportPreviewCard(v: HolidayImportPreviewView): CardJson {
  const elements: CardElement[] = [markdown(`从国务院办公厅通知中识别出 ${bold(`${v.year}年`)} 放假 ${strong(v.holidayCount)} 天、调休上班 ${strong(v.workdayCount)} 天。请逐项核对，确认后写入工作日日历，提醒和截止日期将按此计算。`)];
  for (const f of v.festivals) {
    elements.push(markdown(`${bold(f.festival)}\u3000放假：${escapeMarkdown(f.holidays)}${f.workdays ? `\n\u3000\u3000调休上班：${escapeMarkdown(f.workdays)}` : ''}`));
  }
  elements.push(
    table(
      [
        { name: 'date', display_name: '日期', width: '110px' },
        { name: 'weekday', display_name: '星期', width: '80px' },
        { name: 'kind', display_name: '安排', width: '80px' },
        { name: 'festival', display_name: '节日' },
        { name: 'remark', display_name: '说明' },
      ],
      v.days.map((d) => ({ ...d })),
      10,
    ),
  );
  for (const n of v.notes) elements.push(markdown(escapeMarkdown(n)));
  elements.push(
    buttonRow([
      button('确认导入', calendarActions.importConfirm.value({ previewId: v.previewId }), { type: 'primary_filled', confirm: { title: `导入${v.year}年节假日安排`, text: `写入放假 ${v.holidayCount} 天、调休上班 ${v.workdayCount} 天？` } }),
    ]),
  );
  elements.push(note('核对无误再确认；识别有误请勿导入，可用“设置工作日”逐日设置。本预览 24 小时内有效。'));
  return card({ title: `${v.year}年节假日安排（预览）`, template: 'orange', summary: `${v.year}年节假日安排待确认`, elements });
}

export interface HolidayImportDoneView {
  year: number;
  written: number;
  removed: number;
  keptManual: number;
  by: string;
}

export function holidayImportDoneCard(v: HolidayImportDoneView): CardJson {
  const lines = [
    `已导入 ${bold(`${v.year}年`)} 节假日安排：写入 ${v.written} 天${v.removed > 0 ? `，替换了此前导入的 ${v.removed} 天` : ''}${v.keptManual > 0 ? `，保留手动设置 ${v.keptManual} 天` : ''}。`,
    `之后的提醒按新的工作日日历计算。发送 \`工作日列表 ${v.year}\` 查看。`,
  ];
  return card({ title: `${v.year}年节假日安排已导入`, template: 'green', summary: `${v.year}年节假日安排已导入`, elements: [...lines.map((l) => markdown(l)), note(`操作人：${escapeMarkdown(v.by)}`)] });
}
