// The desk's HTTP contract: every endpoint under /desk/api/*, as zod schemas (the server parses
// requests with them) and the TypeScript types the web front end (src/desk/web) imports.
// Only zod here: this file is bundled into the browser too.
//
// Rules every endpoint follows:
// - A session cookie is required: 401 {error:'未登录'} without one, 403 {error:'…'} for a role
//   that may not use the endpoint. Errors are always `ApiError` with a Chinese message.
// - Mutating requests (POST/PUT) must carry the header `X-Desk: 1` (CSRF: a cross-site form cannot
//   set it) and a JSON body; a body that does not parse answers 400 with `fieldErrors`.
// - `year` query parameters are optional: without one the server picks the campaign the chat would
//   pick for that page (src/usecases/campaign/resolve.ts).
import { z } from 'zod';
import type { AuditFacts } from '../domain/audit.ts';

export const DESK_HEADER = 'X-Desk';
export const DESK_HEADER_VALUE = '1';
export const DESK_BASE = '/desk';
export const DESK_API = '/desk/api';

// ---- shared --------------------------------------------------------------------------------

export const ROLES = ['coordinator', 'reviewer', 'judge'] as const;
export type Role = (typeof ROLES)[number];

export const UNIT_KIND_KEYS = ['town', 'street', 'department'] as const;
export type UnitKindKey = (typeof UNIT_KIND_KEYS)[number];

export const FORM_KEYS = ['survey', 'observe', 'forum', 'policy', 'questionnaire'] as const;
export type FormKey = (typeof FORM_KEYS)[number];

export const THEME_FIELD_KEYS = ['title', 'month', 'forms', 'intro'] as const;
export type ThemeFieldKey = (typeof THEME_FIELD_KEYS)[number];

export const REVIEW_STATUS_KEYS = ['pending', 'approved', 'returned', 'rejected'] as const;
export type ReviewStatusKey = (typeof REVIEW_STATUS_KEYS)[number];

/** Any non-2xx JSON answer. `fieldErrors` names the body fields that did not parse. */
export interface ApiError {
  error: string;
  fieldErrors?: Record<string, string>;
}

/** ?year=2023 (optional everywhere it appears) */
export const yearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });
export type YearQuery = z.infer<typeof yearQuery>;

/** A VChart spec exactly as cards/chart.ts builds it for the cards (render with @visactor/vchart). */
export type ChartSpec = Record<string, unknown>;

// ---- auth ----------------------------------------------------------------------------------
// GET  /desk/login?next=/desk/…   → 302 to Feishu's authorize page (local mode: the emulator's)
// GET  /desk/auth/callback?code&state → sets the session cookie, 302 to `next`; refusal → HTML page
// POST /desk/logout               → 204, cookie cleared

export const loginQuery = z.object({ next: z.string().startsWith('/desk').max(500).optional() });

/** GET /desk/api/me */
export interface Me {
  openId: string;
  name: string;
  roles: Role[];
}

// ---- campaigns / overview ------------------------------------------------------------------

/** GET /desk/api/campaigns (newest first) */
export interface CampaignItem {
  year: number;
  title: string;
  /** campaign status: draft | collecting | reviewing | scheduled | evaluating | closed */
  status: string;
  /** the stage key (src/domain/campaign-stage.ts) and its Chinese label */
  stage: string;
  stageLabel: string;
  /** YYYY-MM-DD */
  deadline: string;
}
export type CampaignList = CampaignItem[];

/** GET /desk/api/overview?year */
export interface Overview {
  year: number;
  title: string;
  stage: string;
  stageLabel: string;
  deadline: string;
  /** per unit kind: units that submitted / have not */
  byKind: { kind: UnitKindKey; label: string; submitted: number; notSubmitted: number }[];
  /** late: submitted after their deadline (as 申报表 and 年度对比 count 逾期提交); overdue: past their deadline without a submission */
  totals: { units: number; submitted: number; notSubmitted: number; themes: number; late: number; overdue: number };
  /** units that submitted after their deadline (late), and units past their deadline without a submission: never submitted (missing) or withdrawn */
  lateUnits: { unitId: string; unitName: string; kind: UnitKindKey; state: 'late' | 'missing' | 'withdrawn'; submittedAt: string | null; deadline: string }[];
  /** the same VChart specs the progress card shows (by form, by month), keyed by a short name */
  charts: { key: string; title: string; spec: ChartSpec }[];
}

// ---- submissions -----------------------------------------------------------------------------

/** GET /desk/api/submissions?year — one row per active theme of a submitted submission,
 *  plus one row (theme fields null) per unit that has not submitted. */
export interface SubmissionRow {
  /** the theme's id, or `unit:<unitId>` for a unit without a submission */
  id: string;
  unitId: string;
  unitName: string;
  kind: UnitKindKey;
  kindLabel: string;
  /** pending | submitted | withdrawn */
  submissionStatus: string;
  submissionStatusLabel: string;
  themeId: string | null;
  seq: number | null;
  title: string | null;
  /** declared month 1-12 */
  month: number | null;
  /** month in the schedule (after moves) */
  scheduledMonth: number | null;
  forms: FormKey[];
  formLabels: string[];
  intro: string | null;
  reviewStatus: ReviewStatusKey | null;
  reviewStatusLabel: string | null;
  /** the submission's version (increments on every accepted edit) */
  version: number;
  themeVersion: number | null;
  late: boolean;
  contactName: string | null;
  /** full number: the desk is for the county office only */
  contactPhone: string | null;
  /** ISO instant */
  submittedAt: string | null;
}
export interface SubmissionsResponse {
  year: number;
  rows: SubmissionRow[];
}

// ---- review ----------------------------------------------------------------------------------

export interface FieldDiff {
  field: ThemeFieldKey;
  label: string;
  before: string;
  after: string;
}

/** GET /desk/api/review?year */
export interface ReviewItem {
  themeId: string;
  /** send back with the decision (optimistic lock: a newer version answers 409) */
  themeVersion: number;
  unitId: string;
  unitName: string;
  kind: UnitKindKey;
  seq: number;
  title: string;
  month: number;
  forms: FormKey[];
  formLabels: string[];
  intro: string;
  reviewStatus: ReviewStatusKey;
  reviewStatusLabel: string;
  reviewReason: string | null;
  reviewFields: ThemeFieldKey[];
  contactName: string | null;
  contactPhone: string | null;
  submittedAt: string | null;
  /** what changed since the theme was last returned (empty when never returned) */
  diff: FieldDiff[];
  history: { at: string; decision: string; decisionLabel: string; reason: string | null; reviewerName: string }[];
}
export interface ReviewResponse {
  year: number;
  counts: { pending: number; approved: number; returned: number; rejected: number; total: number };
  items: ReviewItem[];
}

/** POST /desk/api/review/decision — same use case as the review card (decideTheme) */
export const reviewDecisionBody = z.object({
  themeId: z.string().min(1, '缺少主题'),
  /** the themeVersion the reviewer saw; omitted = current */
  themeVersion: z.number().int().positive().optional(),
  decision: z.enum(['approve', 'return', 'reject'], { message: '审核操作只能是 通过 / 退回修改 / 不采纳' }),
  reason: z.string().max(300, '原因不超过 300 字').optional(),
  fields: z.array(z.enum(THEME_FIELD_KEYS)).optional(),
});
export type ReviewDecisionBody = z.infer<typeof reviewDecisionBody>;
export interface ReviewDecisionResult {
  ok: true;
  themeId: string;
  reviewStatus: ReviewStatusKey;
}

// ---- schedule ----------------------------------------------------------------------------------

export interface BoardItem {
  themeId: string;
  unitId: string;
  unitName: string;
  kind: UnitKindKey;
  title: string;
  forms: FormKey[];
  formLabels: string[];
  declaredMonth: number;
  month: number;
  /** none | proposed | confirmed — 'proposed' waits for the unit to accept (monthMoveMode 'confirm') */
  moveState: string;
  proposedMonth: number | null;
}
/** GET /desk/api/schedule?year — approved themes by month (12 columns, always all twelve) */
export interface ScheduleBoard {
  year: number;
  months: { month: number; items: BoardItem[] }[];
  /** balance warnings as the schedule card words them */
  warnings: string[];
  /** the last published version, if any */
  published: { version: number; publishedAt: string } | null;
}

/** POST /desk/api/schedule/move — same use case as the card (moveThemeMonth); the unit is told in its group */
export const scheduleMoveBody = z.object({
  themeId: z.string().min(1, '缺少活动'),
  month: z.number({ message: '月份须为 1–12' }).int('月份须为 1–12').min(1, '月份须为 1–12').max(12, '月份须为 1–12'),
});
export type ScheduleMoveBody = z.infer<typeof scheduleMoveBody>;
export interface ScheduleMoveResult {
  ok: true;
  /** notify: moved and the unit told; confirm: proposed, the unit must accept */
  mode: 'notify' | 'confirm';
  from: number;
  to: number;
  board: ScheduleBoard;
}

// ---- summaries / evaluation -------------------------------------------------------------------

/** GET /desk/api/summaries?year */
export interface SummaryItem {
  themeId: string;
  unitName: string;
  title: string;
  month: number;
  /** none | draft | submitted */
  status: string;
  heldDates: string[];
  formLabels: string[];
  logoShown: boolean | null;
  links: { channel: 'media' | 'website' | 'newMedia'; url: string; ok: boolean | null; detail: string | null }[];
  summaryText: string | null;
  experience: string | null;
  photos: { id: string; url: string; takenOn: string | null; isLogo: boolean; dateWarning: string | null }[];
  missing: string[];
}
export interface SummariesResponse {
  year: number;
  items: SummaryItem[];
}

/** GET /desk/api/evaluation?year */
export interface EvaluationResponse {
  year: number;
  status: string;
  criteria: { key: string; label: string; max: number }[];
  judges: { openId: string; name: string; unitName: string | null; scored: number }[];
  activities: {
    themeId: string;
    unitName: string;
    title: string;
    /** judge name → criterion key → score */
    scores: Record<string, Record<string, number>>;
    conflicts: string[];
    trimmedMean: number | null;
    rank: number | null;
    tie: boolean;
  }[];
}

// ---- units -------------------------------------------------------------------------------------

export interface UnitItem {
  id: string;
  name: string;
  shortName: string | null;
  kind: UnitKindKey;
  kindLabel: string;
  sortOrder: number;
  active: boolean;
  chatBound: boolean;
  leaderName: string | null;
  liaisons: { name: string; phone: string | null; role: 'primary' | 'backup'; openId: string | null }[];
}
/** GET /desk/api/units */
export type UnitsResponse = UnitItem[];

/** PUT /desk/api/units/:id */
export const unitUpdateBody = z.object({
  name: z.string().trim().min(1, '单位名称不能为空').max(50, '单位名称不超过 50 字').optional(),
  shortName: z.string().trim().max(20, '简称不超过 20 字').nullable().optional(),
  kind: z.enum(UNIT_KIND_KEYS, { message: '单位类别只能是 镇 / 街道 / 县直部门' }).optional(),
  sortOrder: z.number().int().min(0).max(9999).optional(),
  active: z.boolean().optional(),
});
export type UnitUpdateBody = z.infer<typeof unitUpdateBody>;

/** POST /desk/api/units/import — raw .xlsx/.csv bytes (Content-Type application/octet-stream),
 *  `?dryRun=1` to check only. Same use case as `units import`. */
export interface UnitImportResult {
  ok: boolean;
  applied: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; message: string }[];
}

// ---- settings / audit -------------------------------------------------------------------------

/** GET /desk/api/settings?year */
export interface SettingsResponse {
  year: number;
  /** the campaign's settings JSON as parsed by the domain (reminder ladder, balance limits, …) */
  settings: Record<string, unknown>;
  /** the same, named and worded in Chinese for the page (domain/campaign.ts describeSettings) */
  settingLines: { label: string; value: string }[];
  reviewers: { openId: string; name: string }[];
  judges: { openId: string; name: string; unitName: string | null }[];
  coordinators: { openId: string; name: string }[];
  criteria: { key: string; label: string; max: number }[];
}

/** GET /desk/api/audit?from&to&actor&action[&format=csv] — from/to are YYYY-MM-DD (Shanghai), to inclusive */
export const auditQuery = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '开始日期格式应为 YYYY-MM-DD')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '结束日期格式应为 YYYY-MM-DD')
    .optional(),
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  format: z.enum(['json', 'csv']).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;
export interface AuditRow extends AuditFacts {
  at: string;
  actorName: string;
}
export interface AuditResponse {
  rows: AuditRow[];
  truncated: boolean;
}

// ---- documents ----------------------------------------------------------------------------------

export const DOC_KINDS = ['schedule', 'evaluation', 'report'] as const;
export type DocKind = (typeof DOC_KINDS)[number];
/** GET /desk/api/docs/<kind>.docx?year → the .docx (Content-Disposition attachment) */
export const docPath = (kind: DocKind, year?: number): string => `${DESK_API}/docs/${kind}.docx${year ? `?year=${year}` : ''}`;
/** GET /desk/api/docs/evidence.zip?year → the evidence pack the report's annex refers to (same as `export evidence --zip`) */
export const evidencePackPath = (year?: number): string => `${DESK_API}/docs/evidence.zip${year ? `?year=${year}` : ''}`;
/** POST /desk/api/docs/:kind/send?year → sent to the signed-in coordinator as a file message (outbox) */
export interface DocSendResult {
  ok: true;
  fileName: string;
}

// ---- live updates ---------------------------------------------------------------------------------

/** GET /desk/api/events — text/event-stream; each message's data is a DeskEvent (JSON).
 *  A `hello` arrives on connect; refetch the page's data on any other event. */
export const DESK_EVENT_TYPES = ['hello', 'submission', 'review', 'schedule', 'summary', 'evaluation', 'units', 'settings'] as const;
export type DeskEventType = (typeof DESK_EVENT_TYPES)[number];
export interface DeskEvent {
  type: DeskEventType;
  year?: number;
  at: string;
}
