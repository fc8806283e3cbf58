// The State Council's yearly holiday notice (《国务院办公厅关于YYYY年部分节假日安排的通知》) parsed
// into holidays and adjusted working days, so a year can be entered the day the notice appears,
// months before any npm package has it. Pure: text in, days out.
//
// Only the numbered items (`一、元旦：…`) carry days; every sentence of an item must be understood
// (a day range with 放假, a list of days with 上班, or an advisory sentence starting with 鼓励), or
// the whole text is refused naming the item: a half-understood notice must never become a calendar.
import { addDays, weekday, type CivilDate } from './time.ts';

export interface NoticeDay {
  date: CivilDate;
  /** true: an adjusted working day (上班); false: a holiday */
  isWorkday: boolean;
  /** the item's festival as the notice names it: 元旦, 国庆节、中秋节 … */
  festival: string;
  /** 农历 note from the notice, e.g. 农历除夕 */
  lunar?: string;
}

export interface NoticeItem {
  /** 一, 二 … */
  numeral: string;
  festival: string;
  holidays: CivilDate[];
  workdays: CivilDate[];
  /** the item's text as pasted (normalized punctuation) */
  text: string;
}

export interface HolidayNotice {
  year: number;
  items: NoticeItem[];
  /** every day of the notice in date order */
  days: NoticeDay[];
}

export type NoticeParseResult = { ok: true; notice: HolidayNotice } | { ok: false; error: string };

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const WEEKDAY_CHARS: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const WEEKDAY_NAMES = ['日', '一', '二', '三', '四', '五', '六'];

/** Reposts mix half-width punctuation and spaces into the official full-width text. */
function normalize(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/\u3000/g, ' ')
      .replace(/:/g, '：')
      .replace(/\(/g, '（')
      .replace(/\)/g, '）')
      .replace(/,/g, '，')
      .replace(/;/g, '；')
      // Spaces are typing noise in Chinese text; line breaks are kept (they end an item).
      .replace(/[ \t]+/g, '')
  );
}

/** The notice's year: from its title (关于2027年部分节假日安排) or its first sentence (现将2027年). */
function noticeYear(text: string): number | undefined {
  const m = /关于\s*(\d{4})\s*年部分节假日安排/.exec(text) ?? /现将\s*(\d{4})\s*年/.exec(text);
  return m ? Number(m[1]) : undefined;
}

const DATE_SPEC = String.raw`(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?`;

interface DateSpec {
  year?: number;
  month?: number;
  day: number;
  note?: string;
}

function toSpec(m: ArrayLike<string | undefined>, at = 1): DateSpec {
  return {
    year: m[at] ? Number(m[at]) : undefined,
    month: m[at + 1] ? Number(m[at + 1]) : undefined,
    day: Number(m[at + 2]),
    note: m[at + 3] || undefined,
  };
}

class NoticeError extends Error {}

function civil(year: number, month: number, day: number): CivilDate {
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const check = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date) throw new NoticeError(`${month}月${day}日不是有效日期`);
  return date;
}

/** Checks the bracket note (周四 / 星期日 / 农历除夕、周二) against the date; returns the 农历 part. */
function checkNote(date: CivilDate, note: string | undefined, label: string): string | undefined {
  if (!note) return undefined;
  const lunar: string[] = [];
  for (const part of note.split(/[、，]/).filter(Boolean)) {
    const wd = /^(?:周|星期)([日天一二三四五六])$/.exec(part);
    if (wd) {
      const expected = WEEKDAY_CHARS[wd[1]!]!;
      if (weekday(date) !== expected) throw new NoticeError(`${label}标注为${part}，但${date}是星期${WEEKDAY_NAMES[weekday(date)]}`);
    } else if (/^(农历|除夕|正月|腊月)/.test(part)) {
      lunar.push(part);
    } else {
      throw new NoticeError(`无法识别括号中的“${part}”`);
    }
  }
  return lunar.length > 0 ? lunar.join('、') : undefined;
}

function specDate(spec: DateSpec, fallback: { year: number; month?: number }, label: string): CivilDate {
  const month = spec.month ?? fallback.month;
  if (month === undefined) throw new NoticeError(`${label}缺少月份`);
  return civil(spec.year ?? fallback.year, month, spec.day);
}

const HOLIDAY_RE = new RegExp(`^${DATE_SPEC}(?:至${DATE_SPEC})?放假(.*)$`);
const HOLIDAY_TAIL_RE = /^(调休)?(?:(\d+)天)?((?:，(?:共\d+天|与周末连休|与周[六日]连休|不调休))*)$/;
const SPEC_GLOBAL = new RegExp(DATE_SPEC, 'g');

interface SentenceResult {
  holidays?: { date: CivilDate; lunar?: string }[];
  workdays?: { date: CivilDate; lunar?: string }[];
}

function parseHolidaySentence(sentence: string, year: number): SentenceResult | undefined {
  const m = HOLIDAY_RE.exec(sentence);
  if (!m) return undefined;
  const from = toSpec(m, 1);
  const to = m[7] ? toSpec(m, 5) : undefined;
  // Older notices give a compensatory day in the same sentence: 1月1日放假，1月2日（星期一）补休.
  const extra: { date: CivilDate; lunar?: string }[] = [];
  const rest = (m[9] ?? '').replace(new RegExp(`，${DATE_SPEC}补休`, 'g'), (...g: unknown[]) => {
    const spec = toSpec(g as (string | undefined)[], 1);
    const date = specDate(spec, { year, month: spec.month }, '补休日期');
    extra.push({ date, lunar: checkNote(date, spec.note, `${spec.month ?? ''}月${spec.day}日`) });
    return '';
  });
  const tail = HOLIDAY_TAIL_RE.exec(rest);
  if (!tail) throw new NoticeError(`无法识别“放假”之后的“${m[9]}”`);
  const start = specDate(from, { year }, '放假开始日期');
  const startLunar = checkNote(start, from.note, `${from.month ?? ''}月${from.day}日`);
  let end = start;
  let endLunar: string | undefined;
  if (to) {
    end = specDate(to, { year: to.year ?? yearOfDate(start), month: monthOfDate(start) }, '放假结束日期');
    // 12月31日至1月2日 without years: the range runs into the next year.
    if (end < start && to.year === undefined) end = specDate(to, { year: yearOfDate(start) + 1, month: monthOfDate(start) }, '放假结束日期');
    endLunar = checkNote(end, to.note, `${to.month ?? monthOfDate(start)}月${to.day}日`);
    if (end < start) throw new NoticeError(`放假结束日期 ${end} 早于开始日期 ${start}`);
  }
  const days: { date: CivilDate; lunar?: string }[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) days.push({ date: d, lunar: d === start ? startLunar : d === end ? endLunar : undefined });
  if (days.length > 15) throw new NoticeError(`放假 ${days.length} 天，超出常理，请核对`);
  const counts = [tail[2], ...[...(tail[3] ?? '').matchAll(/共(\d+)天/g)].map((x) => x[1])].filter((x): x is string => x !== undefined);
  for (const c of counts) {
    if (Number(c) !== days.length) throw new NoticeError(`写明共${c}天，但 ${start} 至 ${end} 是 ${days.length} 天`);
  }
  return { holidays: [...days, ...extra] };
}

function parseWorkdaySentence(sentence: string, year: number): SentenceResult | undefined {
  if (!sentence.endsWith('上班')) return undefined;
  const list = sentence.slice(0, -2);
  const specs = [...list.matchAll(SPEC_GLOBAL)];
  // The specs, joined by 、, must be the whole list: nothing unread in between.
  if (specs.length === 0 || specs.map((s) => s[0]).join('、') !== list) return undefined;
  const out: { date: CivilDate; lunar?: string }[] = [];
  let month: number | undefined;
  let y = year;
  for (const s of specs) {
    const spec = toSpec(s, 1);
    if (spec.year) y = spec.year;
    const date = specDate(spec, { year: y, month }, `上班日“${s[0]}”`);
    month = Number(date.slice(5, 7));
    out.push({ date, lunar: checkNote(date, spec.note, s[0]) });
  }
  return { workdays: out };
}

const yearOfDate = (d: CivilDate) => Number(d.slice(0, 4));
const monthOfDate = (d: CivilDate) => Number(d.slice(5, 7));

/** Sentences of an item, split on 。 outside brackets. */
function sentences(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '（') depth += 1;
    if (ch === '）') depth = Math.max(0, depth - 1);
    if (ch === '。' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

// An item starts a line (or follows a 。 when the notice was pasted as one paragraph): 三、清明节：
const ITEM_START = /(^|\n|。)([一二三四五六七八九十]{1,3})、([^，。、：\n]{1,12}(?:、[^，。、：\n]{1,12})*)：/g;
// Paragraphs after the last item that are part of every notice, not of the item.
const CLOSING = /^(节假日期间|国务院办公厅)/;

/**
 * Parses the notice. `expectedYear`, when given (e.g. `holidays import --year 2027`), must agree
 * with the year the text names; text without a year needs it.
 */
export function parseHolidayNotice(raw: string, expectedYear?: number): NoticeParseResult {
  const text = normalize(raw);
  const named = noticeYear(text);
  if (named !== undefined && expectedYear !== undefined && named !== expectedYear) {
    return { ok: false, error: `通知写的是 ${named} 年，与指定的 ${expectedYear} 年不一致。` };
  }
  const year = named ?? expectedYear;
  if (year === undefined) return { ok: false, error: '找不到年份：请粘贴包含标题“国务院办公厅关于XXXX年部分节假日安排的通知”或“现将XXXX年……”的全文。' };

  const starts = [...text.matchAll(ITEM_START)];
  if (starts.length === 0) return { ok: false, error: '没有找到“一、元旦：……”这样的放假安排条目，请粘贴通知全文。' };
  const items: NoticeItem[] = [];
  const days: NoticeDay[] = [];
  const seen = new Map<CivilDate, string>();
  for (const [i, m] of starts.entries()) {
    const numeral = m[2]!;
    const festival = m[3]!;
    const bodyStart = m.index + m[0].length;
    const bodyEnd = i + 1 < starts.length ? starts[i + 1]!.index + starts[i + 1]![1]!.length : text.length;
    // The last item ends at its line; a following paragraph (节假日期间……) is not part of it.
    let body = text.slice(bodyStart, bodyEnd);
    const newline = body.indexOf('\n');
    if (newline >= 0) {
      const rest = body.slice(newline + 1);
      if (i + 1 < starts.length && rest.trim() !== '') {
        return { ok: false, error: `第${numeral}项“${festival}”之后有无法识别的内容：“${rest.trim().slice(0, 40)}”` };
      }
      body = body.slice(0, newline);
    }
    const label = `第${numeral}项“${numeral}、${festival}：${body.trim().slice(0, 80)}”`;
    if (numeral !== NUMERALS[i]) return { ok: false, error: `条目编号不连续：应为“${NUMERALS[i]}、”，却是“${numeral}、${festival}”。请粘贴完整的通知。` };
    const item: NoticeItem = { numeral, festival, holidays: [], workdays: [], text: `${numeral}、${festival}：${body.trim()}` };
    const last = i + 1 === starts.length;
    try {
      for (const s of sentences(body)) {
        // The notice's closing paragraphs (节假日期间……, the signature) end the last item.
        if (last && CLOSING.test(s) && item.holidays.length > 0) break;
        if (s.startsWith('鼓励')) continue;
        const r = parseHolidaySentence(s, year) ?? parseWorkdaySentence(s, year);
        if (!r) throw new NoticeError(`无法识别“${s}”`);
        for (const h of r.holidays ?? []) {
          item.holidays.push(h.date);
          days.push({ date: h.date, isWorkday: false, festival, ...(h.lunar ? { lunar: h.lunar } : {}) });
        }
        for (const w of r.workdays ?? []) {
          item.workdays.push(w.date);
          days.push({ date: w.date, isWorkday: true, festival, ...(w.lunar ? { lunar: w.lunar } : {}) });
        }
      }
      if (item.holidays.length === 0) throw new NoticeError('没有放假日期');
      for (const d of [...item.holidays, ...item.workdays]) {
        const other = seen.get(d);
        if (other) throw new NoticeError(`${d} 已在“${other}”中出现`);
        seen.set(d, festival);
      }
    } catch (error) {
      if (error instanceof NoticeError) return { ok: false, error: `无法完整识别${label}：${error.message}。请核对后重新粘贴。` };
      throw error;
    }
    items.push(item);
  }
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { ok: true, notice: { year, items, days } };
}

/** 星期四 for a civil date (for previews). */
export function weekdayName(date: CivilDate): string {
  return `星期${WEEKDAY_NAMES[weekday(date)]}`;
}

/** The override note for a day: 春节 for a holiday, 春节调休 for an adjusted working day (max 40 chars). */
export function overrideNote(day: NoticeDay): string {
  return (day.isWorkday ? `${day.festival}调休上班` : day.festival).slice(0, 40);
}
