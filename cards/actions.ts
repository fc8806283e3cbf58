// Every card action the bot answers, defined once: its name, the zod schema of the button's value,
// and the words shown when a value no longer parses. A card builder makes a button's value with
// `def.value({...})`; `bot.action(def, …)` parses the click with the same definition, so a key
// renamed on one side cannot silently break the other (test/cards/action-registry.test.ts walks
// every card every builder produces and checks each value carried here).
//
// Naming: `<feature>.<verb>` with the feature in the singular (submission, liaison, group, review,
// schedule, reminder, calendar, summary, evaluation, history); value keys are readable words.
// Cards already posted to chats before this naming keep working: each definition lists the old
// action name and the old short keys (`legacy`), mapped to the current ones before parsing.
// Values carry an action name and opaque ids only; the server checks the operator every time.
import { z } from 'zod';
import type { ActionValue } from './kit.ts';

export type ParsedAction<V> = { ok: true; value: V } | { ok: false; error: string };

export interface ActionDef<V> {
  readonly name: string;
  /** names this action had on cards posted before the current naming */
  readonly legacyNames: readonly string[];
  /** the toast when a value does not parse (an old or forged card) */
  readonly staleText: string;
  parse(raw: unknown): ParsedAction<V>;
}

export interface TypedActionDef<S extends z.ZodType> extends ActionDef<z.output<S>> {
  /** The button's callback value: `{ a: name, ...fields }` (undefined fields are left out). */
  value(fields: z.input<S>): ActionValue;
}

interface Legacy {
  names?: string[];
  /** old key → current key */
  keys?: Record<string, string>;
}

const STALE = '这张卡片已过期或按钮无效，请重新发送指令获取新卡片';
const registry = new Map<string, ActionDef<unknown>>();
const legacyNames = new Map<string, string>();

export function defineAction<S extends z.ZodType<Record<string, unknown>>>(name: string, schema: S, options: { legacy?: Legacy; stale?: string } = {}): TypedActionDef<S> {
  if (registry.has(name) || legacyNames.has(name)) throw new Error(`card action defined twice: ${name}`);
  const keys = options.legacy?.keys ?? {};
  const def: TypedActionDef<S> = {
    name,
    legacyNames: options.legacy?.names ?? [],
    staleText: options.stale ?? STALE,
    value(fields) {
      const out: ActionValue = { a: name };
      for (const [k, v] of Object.entries(fields as Record<string, unknown>)) {
        if (v === undefined) continue;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`card action ${name}: ${k} is not a scalar`);
        out[k] = v;
      }
      return out;
    },
    parse(raw) {
      const input: Record<string, unknown> = {};
      if (raw && typeof raw === 'object') {
        for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
          if (k === 'a') continue;
          const current = keys[k];
          if (current !== undefined) {
            if (!(current in (raw as Record<string, unknown>))) input[current] = v;
          } else input[k] = v;
        }
      }
      const r = schema.safeParse(input);
      return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    },
  };
  registry.set(name, def as ActionDef<unknown>);
  for (const old of def.legacyNames) legacyNames.set(old, name);
  return def;
}

/** An action outside the registry whose handler gets the raw value (test and pipeline features only). */
export function looseAction(name: string): ActionDef<Record<string, unknown>> {
  return {
    name,
    legacyNames: [],
    staleText: STALE,
    parse: (raw) => ({ ok: true, value: raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {} }),
  };
}

/** Every defined action (the registry test checks each is registered on the bot). */
export function definedActions(): ActionDef<unknown>[] {
  return [...registry.values()];
}

/** The definition a card value's `a` names, legacy names included. */
export function actionDefFor(name: string): ActionDef<unknown> | undefined {
  return registry.get(legacyNames.get(name) ?? name);
}

const id = z.string().min(1).max(100);
const shortId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const hex16 = z.string().regex(/^[0-9a-f]{16}$/);
const page = z.coerce.number().int().min(0).max(100).catch(0).default(0);
const flag = z.union([z.literal(0), z.literal(1), z.boolean()]).transform((x) => x === 1 || x === true);
const none = z.object({});

// ---------------------------------------------------------------- submissions (申报)

const submissionKeys = { s: 'submissionId', v: 'version', i: 'index', c: 'campaignId', y: 'year' };
export const submissionActions = {
  launch: defineAction('submission.launch', z.object({ year: z.coerce.number().int().min(2000).max(2100) }), { legacy: { names: ['sub.launch'], keys: submissionKeys }, stale: '这张卡片已过期，请重新发送“发起申报”' }),
  progress: defineAction('submission.progress', z.object({ campaignId: id.optional() }), { legacy: { names: ['sub.progress'], keys: submissionKeys } }),
  export: defineAction('submission.export', z.object({ campaignId: id.optional() }), { legacy: { names: ['sub.export'], keys: submissionKeys } }),
  open: defineAction('submission.open', z.object({ submissionId: id }), { legacy: { names: ['sub.open'], keys: submissionKeys }, stale: '这张卡片已过期，请重新发送指令获取新卡片' }),
  edit: defineAction('submission.edit', z.object({ submissionId: id }), { legacy: { names: ['sub.edit'], keys: submissionKeys }, stale: '这张卡片已过期，请重新发送指令获取新卡片' }),
  form: defineAction('submission.form', z.object({ submissionId: id, version: z.coerce.number().int().min(0), op: z.string().max(20), index: z.coerce.number().int().min(0).max(50).optional() }), {
    legacy: { names: ['sub.form'], keys: submissionKeys },
    stale: '这张卡片已过期，请重新发送指令获取新卡片',
  }),
  withdraw: defineAction('submission.withdraw', z.object({ submissionId: id, version: z.coerce.number().int().min(0) }), { legacy: { names: ['sub.withdraw'], keys: submissionKeys }, stale: '这张卡片已过期，请重新发送指令获取新卡片' }),
};

export const liaisonActions = {
  bind: defineAction('liaison.bind', z.object({ unitId: id }), { legacy: { names: ['sub.bind_liaison'], keys: { u: 'unitId' } }, stale: '这张卡片已过期，请重新发送指令获取新卡片' }),
  decide: defineAction('liaison.decide', z.object({ requestId: hex16, accept: flag }), { legacy: { keys: { r: 'requestId', ok: 'accept' } }, stale: '这张卡片已过期，请重新发送指令获取新卡片' }),
};

export const groupActions = {
  bind: defineAction('group.bind', z.object({ chatId: id, asCoordinator: flag.optional() }), { legacy: { names: ['grp.bind'], keys: { chat: 'chatId', coord: 'asCoordinator' } }, stale: '这张卡片不属于本群' }),
};

// ---------------------------------------------------------------- review (审核)

/** The navigation state every button of the review card carries (unit, page, filter, campaign). */
const reviewNav = {
  unitId: z.string().max(64).catch(''),
  page: z.coerce.number().int().min(0).max(100).catch(0),
  dir: z.enum(['prev', 'next', 'stay']).catch('stay').default('stay'),
  status: z.string().max(20).optional(),
  kind: z.string().max(20).optional(),
  month: z.coerce.number().int().min(0).max(12).optional(),
  form: z.string().max(40).optional(),
  campaignId: id.optional(),
};
const reviewKeys = { u: 'unitId', p: 'page', fs: 'status', fk: 'kind', fm: 'month', ff: 'form', c: 'campaignId', t: 'themeId', v: 'version', d: 'decision', i: 'index' };
const REVIEW_STALE = '卡片数据无效，请重新发送“审核”';
export const reviewActions = {
  page: defineAction('review.page', z.object(reviewNav), { legacy: { keys: reviewKeys }, stale: REVIEW_STALE }),
  filter: defineAction('review.filter', z.object(reviewNav), { legacy: { keys: reviewKeys }, stale: REVIEW_STALE }),
  decide: defineAction('review.decide', z.object({ ...reviewNav, themeId: shortId, version: z.coerce.number().int().min(1), decision: z.enum(['approve', 'return', 'reject']), index: z.coerce.number().int().min(0).max(50).catch(0) }), {
    legacy: { keys: reviewKeys },
    stale: REVIEW_STALE,
  }),
  history: defineAction('review.history', z.object({ ...reviewNav, themeId: shortId }), { legacy: { keys: reviewKeys }, stale: REVIEW_STALE }),
  reviseOpen: defineAction('review.revise_open', z.object({ themeId: shortId, version: z.coerce.number().int().min(1).optional() }), { legacy: { keys: reviewKeys }, stale: '卡片数据无效' }),
  // noticeMessageId: the 退回修改 notice in the unit's group the form was opened from (refreshed once the theme is resubmitted)
  reviseSubmit: defineAction('review.revise_submit', z.object({ themeId: shortId, version: z.coerce.number().int().min(1), noticeMessageId: z.string().max(64).optional() }), { legacy: { keys: reviewKeys }, stale: '卡片数据无效' }),
};

// ---------------------------------------------------------------- schedule (计划安排表)

const scheduleKeys = { c: 'campaignId', n: 'version', ord: 'order', t: 'themeId', to: 'month', ok: 'accept' };
const campaignOnly = z.object({ campaignId: id.optional() });
export const scheduleActions = {
  view: defineAction('schedule.view', campaignOnly, { legacy: { keys: scheduleKeys } }),
  publishAsk: defineAction('schedule.publish_ask', campaignOnly, { legacy: { keys: scheduleKeys } }),
  publish: defineAction('schedule.publish', z.object({ campaignId: id.optional(), version: z.coerce.number().int().min(1).optional(), close: z.boolean().optional() }), { legacy: { keys: scheduleKeys } }),
  move: defineAction('schedule.move', z.object({ campaignId: id.optional(), order: z.string().max(200).optional() }), { legacy: { keys: scheduleKeys } }),
  moveReply: defineAction('schedule.move_reply', z.object({ themeId: shortId, month: z.coerce.number().int().min(1).max(12), accept: z.boolean() }), { legacy: { keys: scheduleKeys }, stale: '卡片数据无效' }),
};

// ---------------------------------------------------------------- reminders (催办, 节假日)

export const reminderActions = {
  nudgePreview: defineAction('reminder.nudge_preview', z.object({ campaignId: shortId }), { legacy: { names: ['reminders.nudge_preview'] }, stale: '按钮已失效，请发送“催办”重新生成' }),
  nudgeConfirm: defineAction('reminder.nudge_confirm', z.object({ previewId: hex16, force: z.boolean().optional() }), { legacy: { names: ['reminders.nudge_confirm'] }, stale: '按钮已失效，请发送“催办”重新生成' }),
};
export const calendarActions = {
  importConfirm: defineAction('calendar.import_confirm', z.object({ previewId: hex16 }), { legacy: { keys: { id: 'previewId' } }, stale: '按钮已失效，请重新发送“节假日安排”和通知全文' }),
};

// ---------------------------------------------------------------- summaries (总结)

const SUMMARY_STALE = '这张卡片已过期，请发送“总结”获取新卡片';
/** The theme rides in the value, or (on the list card) in the form's select. */
const themeMaybe = z.object({ themeId: shortId.optional() });
export const summaryActions = {
  open: defineAction('summary.open', themeMaybe, { stale: SUMMARY_STALE }),
  save: defineAction('summary.save', themeMaybe, { stale: SUMMARY_STALE }),
  submit: defineAction('summary.submit', themeMaybe, { stale: SUMMARY_STALE }),
  /** `back`: the year of the 总结进度 card it was opened from (the read card offers the way back) */
  view: defineAction('summary.view', themeMaybe.extend({ back: z.number().int().min(2000).max(2100).optional() }), { stale: SUMMARY_STALE }),
  /** the 总结进度 card again, in place (coordinators) */
  progress: defineAction('summary.progress', z.object({ year: z.number().int().min(2000).max(2100) }), { stale: SUMMARY_STALE }),
  photos: defineAction('summary.photos', z.object({ themeId: shortId, page }), { stale: SUMMARY_STALE }),
  photoDelete: defineAction('summary.photo_del', z.object({ photoId: shortId, page }), { stale: SUMMARY_STALE }),
  photoLogo: defineAction('summary.photo_logo', z.object({ photoId: shortId, page }), { stale: SUMMARY_STALE }),
  photoTarget: defineAction('summary.photo_target', z.object({ ref: shortId }), { stale: SUMMARY_STALE }),
};

// ---------------------------------------------------------------- evaluation (评选)

const EVALUATION_STALE = '这张卡片已过期，请发送“评分”获取新卡片';
export const evaluationActions = {
  addJudgePick: defineAction('evaluation.add_judge_pick', z.object({ openId: z.string().min(1).max(64) }), { legacy: { keys: { o: 'openId' } }, stale: '名录中找不到这个人，请重新发送“添加评委 姓名”' }),
  /** the person picker's 添加为评委 (the picked open_ids arrive as the form's `judges`) */
  addJudgesPicked: defineAction('evaluation.add_judges_picked', none),
  home: defineAction('evaluation.home', none),
  next: defineAction('evaluation.next', none),
  pick: defineAction('evaluation.pick', none),
  score: defineAction('evaluation.score', z.object({ themeId: shortId }), { stale: EVALUATION_STALE }),
  progress: defineAction('evaluation.progress', none),
  criteria: defineAction('evaluation.criteria', none),
  criteriaSave: defineAction('evaluation.criteria_save', z.object({ rows: z.coerce.number().int().min(1).max(8).catch(8).default(8) })),
  confirm: defineAction('evaluation.confirm', none),
  exportXlsx: defineAction('evaluation.export_xlsx', none),
  exportEvidence: defineAction('evaluation.export_evidence', none),
};

// ---------------------------------------------------------------- history (年度对比)

export const historyActions = {
  export: defineAction('history.export', none),
};
