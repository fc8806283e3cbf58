// Every parser at the edge, as a fuzz target: an input generator (fast-check) and a run that must
// never throw, plus the invariants the parser promises. `npm test` runs a few hundred inputs per
// target (parsers.test.ts); `npm run fuzz` runs 100,000 per target with a fixed seed and reports
// crashes (there must be none) and the slowest input (bench/fuzz.ts).
import fc from 'fast-check';
import { Bot, type AppServices } from '../../src/app/bot.ts';
import { registerFeatures } from '../../src/handlers/index.ts';
import { normalizeEnvelope, INPUT_LIMITS } from '../../src/adapters/feishu/normalize.ts';
import { parseLooseDate, parseOverrideCommand } from '../../src/domain/workdays.ts';
import { parseLaunchArgs, readLaunchForm } from '../../src/usecases/campaign/launch.ts';
import { parseNudgeArgs } from '../../src/usecases/reminders/nudge.ts';
import { parseTypedDate, readForm, validateContact, validateTheme } from '../../src/domain/submission.ts';
import { parseDateList, parseLinkLines, parseSummary, rawFromForm } from '../../src/domain/summary.ts';
import { parseScores } from '../../src/domain/evaluation.ts';
import { readDirectoryCsv } from '../../src/adapters/files/directory-reader.ts';
import { parseDirectory } from '../../src/domain/directory.ts';
import { maskPhone, normalizePhone } from '../../src/domain/phone.ts';
import { hasFullMobile, maskMobilesInText } from '../../src/app/phone-policy.ts';
import { blockedReason, parseAllowlist } from '../../src/adapters/http/address-policy.ts';
import { quoteInput, wellFormed } from '../../src/domain/user-text.ts';
import { isCivilDate } from '../../src/domain/time.ts';
import { parseHolidayNotice } from '../../src/domain/holiday-notice.ts';

export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** throws on a crash or a broken invariant */
  run(input: T): void;
}

const isWellFormed = (s: string) => wellFormed(s) === s;

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant broken: ${what}`);
}

// Text the way people (and attackers) type it: command words, digits, dates, separators,
// Feishu markup, full-width forms, lone surrogates, control characters, long runs.
const pieces = fc.constantFrom(
  '审核',
  '催办',
  '设置工作日',
  '删除工作日',
  '工作日列表',
  '发起申报',
  '绑定群',
  '我是联系人',
  '截止',
  '加急',
  '上班',
  '休息',
  '2027-01-01',
  '2023年4月7日',
  '4月7日',
  '4.7',
  '2023/04/07',
  '13812345678',
  '+86 139 0000 1111',
  '0731-84872387',
  ' ',
  '\u3000',
  '\n',
  '，',
  '、',
  '：',
  ':',
  '/',
  '／',
  '<at user_id="all">所有人</at>',
  '[x](http://evil)',
  '＝',
  '\uD800',
  '\uDFFF',
  '\u0000',
  '\u202e',
  '😀',
  '星沙街道',
  '县统计局',
  '-',
  '.',
  '年',
  '月',
  '日',
);
export const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(pieces, fc.string({ maxLength: 6 })), { maxLength: 12 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(pieces, fc.integer({ min: 1, max: 3000 })).map(([p, n]) => p.repeat(n)) },
);

const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(hostileText, tie('v'), { maxKeys: 4 })),
})).v;

const formValue = fc.dictionary(
  fc.oneof(
    fc.constantFrom('contact_name', 'contact_phone', 'theme_title', 'theme_month', 'theme_forms', 'theme_intro', 'launch_title', 'launch_deadline', 'held_date_1', 'links_media', 'p_media', 'forms_used', 'logo_shown', 'summary_text'),
    hostileText,
  ),
  jsonish,
  { maxKeys: 8 },
);

let bot: Bot | undefined;
function commandBot(): Bot {
  if (!bot) {
    const services = { config: { coordinatorOpenIds: [] }, readiness: [] } as unknown as AppServices;
    bot = new Bot(services);
    registerFeatures(bot);
  }
  return bot;
}

const envelope = (type: string, event: unknown) => ({ schema: '2.0', header: { event_id: 'ev_f', event_type: type, create_time: '1', token: 't' }, event });

export const TARGETS: FuzzTarget<never>[] = [
  {
    name: 'text commands (matchCommand + argument parsers)',
    arbitrary: hostileText,
    run(text: string) {
      const match = commandBot().matchCommand(text);
      const args = match?.args ?? text;
      parseOverrideCommand(args);
      parseLaunchArgs(args, '2023-03-20');
      const nudge = parseNudgeArgs(args);
      check(
        nudge.names.every((n) => n.length > 0),
        'nudge names non-empty',
      );
      parseLooseDate(args);
    },
  },
  {
    name: 'message events (normalizeEnvelope)',
    arbitrary: fc.record({
      text: hostileText,
      chatType: fc.constantFrom('p2p', 'group', ''),
      msgType: fc.constantFrom('text', 'image', 'file', 'post'),
      content: fc.oneof(
        hostileText,
        jsonish.map((j) => JSON.stringify(j) ?? ''),
      ),
      mentions: fc.array(fc.record({ key: hostileText, name: hostileText }), { maxLength: 3 }),
    }),
    run(i: { text: string; chatType: string; msgType: string; content: string; mentions: { key: string; name: string }[] }) {
      const content = i.msgType === 'text' ? JSON.stringify({ text: i.text }) : i.content;
      const n = normalizeEnvelope(
        envelope('im.message.receive_v1', {
          sender: { sender_id: { open_id: 'ou_a' } },
          message: { message_id: 'om_1', chat_id: 'oc_1', chat_type: i.chatType, message_type: i.msgType, content, mentions: i.mentions.map((m) => ({ ...m, id: { open_id: 'ou_b' } })) },
        }),
        'ou_b',
      );
      if (n.ok && n.event.kind === 'message') {
        check(isWellFormed(n.event.text), 'text well-formed');
        check([...n.event.text].length <= INPUT_LIMITS.text, 'text bounded');
      }
    },
  },
  {
    name: 'card actions (normalizeEnvelope: value, form_value, input_value)',
    arbitrary: fc.record({ value: jsonish, form: formValue, input: fc.option(hostileText), token: fc.option(hostileText) }),
    run(i: { value: unknown; form: Record<string, unknown>; input: string | null; token: string | null }) {
      const n = normalizeEnvelope(
        envelope('card.action.trigger', {
          operator: { open_id: 'ou_a' },
          ...(i.token !== null ? { token: i.token } : {}),
          action: { value: i.value, form_value: i.form, ...(i.input !== null ? { input_value: i.input } : {}) },
          context: { open_message_id: 'om_1', open_chat_id: 'oc_1' },
        }),
        undefined,
      );
      if (n.ok && n.event.kind === 'card_action') check(isWellFormed(JSON.stringify(n.event)), 'card event well-formed');
    },
  },
  {
    name: 'form values (submission, launch, summary, scores)',
    arbitrary: formValue,
    run(form: Record<string, unknown>) {
      const f = readForm(form);
      validateContact({ name: f.contactName, phone: f.contactPhone });
      validateTheme(f.theme, { campaignYear: 2023, today: '2023-03-20', otherTitles: [] });
      readLaunchForm(form);
      parseSummary(rawFromForm(form), { year: 2023, today: '2023-12-01' });
      parseScores(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])), [{ key: 'contact_name', name: '内容', description: '', maxScore: 40, weight: 1, sortOrder: 0 }]);
    },
  },
  {
    name: 'directory import (CSV bytes → parseDirectory)',
    arbitrary: fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.array(hostileText, { maxLength: 10 }), { maxLength: 8 }).map((rows) => new TextEncoder().encode(['单位名称,单位类型,排序,联系人,联系电话,飞书open_id,角色', ...rows.map((r) => r.join(','))].join('\r\n'))),
    ),
    run(bytes: Uint8Array) {
      let table;
      try {
        table = readDirectoryCsv(bytes);
      } catch (error) {
        // A refused file is a clear, typed error, never a crash.
        if ((error as Error).name !== 'DirectoryFileError') throw error;
        return;
      }
      parseDirectory(table);
    },
  },
  {
    name: 'dates (parseLooseDate, parseTypedDate, parseDateList)',
    arbitrary: hostileText,
    run(text: string) {
      const a = parseLooseDate(text);
      if (a !== undefined) check(isCivilDate(a), 'loose date is a civil date');
      const b = parseTypedDate(text, 2023);
      if (b !== null) check(isCivilDate(b), 'typed date is a civil date');
      const list = parseDateList(text, 2023);
      check(list.dates.every(isCivilDate), 'date list civil dates');
      parseLinkLines(text);
    },
  },
  {
    name: 'phones (normalize, mask, mask in text)',
    arbitrary: hostileText,
    run(text: string) {
      const n = normalizePhone(text);
      if (n !== null) check(/^[0-9-]+$/.test(n), 'canonical phone');
      maskPhone(text);
      check(!hasFullMobile(maskMobilesInText(text)), 'no full mobile after masking');
    },
  },
  {
    name: 'link-check addresses and allowlist',
    arbitrary: fc.oneof(hostileText, fc.ipV4(), fc.ipV6(), fc.ipV4Extended()),
    run(text: string) {
      blockedReason(text);
      try {
        parseAllowlist(text);
      } catch (error) {
        if (!(error instanceof Error) || !/not a host name|bad CIDR/.test(error.message)) throw error;
      }
    },
  },
  {
    name: 'echoed excerpts (quoteInput)',
    arbitrary: hostileText,
    run(text: string) {
      const q = quoteInput(text);
      check(isWellFormed(q), 'excerpt well-formed');
      check(!/[<>[\]]/.test(q), 'no markup');
      check([...q].length <= 30 + 16, 'short');
    },
  },
  {
    name: 'holiday notice (parseHolidayNotice)',
    // Notice-shaped text: real items, cut, shuffled and mixed with hostile text.
    arbitrary: fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '国务院办公厅关于2025年部分节假日安排的通知\n',
            '一、元旦：1月1日（周三）放假1天，不调休。\n',
            '二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。\n',
            '三、清明节：4月4日（周五）至6日（周日）放假，共3天。\n',
            '五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。\n',
            '六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。\n',
            '十二月31日',
            '（星期',
            '至',
            '上班。',
            '共',
            '天。',
            '、',
            '：',
            '\n',
          ),
          hostileText,
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join('')),
    run(text: string) {
      const r = parseHolidayNotice(text);
      if (!r.ok) {
        check(typeof r.error === 'string' && r.error.length > 0, 'a refusal says why');
        return;
      }
      const dates = r.notice.days.map((d) => d.date);
      check(dates.every(isCivilDate), 'civil dates');
      check(
        dates.every((d, i) => i === 0 || dates[i - 1]! < d),
        'days sorted, no duplicates',
      );
    },
  },
] as FuzzTarget<never>[];
