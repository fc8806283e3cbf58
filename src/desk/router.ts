// The coordinator's desk at /desk: Feishu sign-in, the JSON API of src/desk/api.ts, live updates
// and the built web bundle. Every change calls the same use case the chat calls (decideTheme,
// moveThemeMonth, …) inside withContext, so it is audited with the signed-in person as the actor
// and its notifications go through the outbox.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Tx } from '../adapters/db/database.ts';
import type { AppServices, HandlerContext } from '../app/bot.ts';
import { withContext } from '../app/context.ts';
import { audit } from '../app/audit.ts';
import { isCoordinator } from '../app/access.ts';
import type { FeishuSignIn } from '../adapters/feishu/sign-in.ts';
import { parseDecision } from '../domain/review.ts';
import { atShanghai, addDays, shanghaiDate } from '../domain/time.ts';
import { resolveCampaign, type CampaignIntent, type ResolvedCampaign } from '../usecases/campaign/resolve.ts';
import { decideTheme } from '../usecases/review/decide.ts';
import { moveThemeMonth } from '../usecases/schedule/move.ts';
import { namesOf } from '../usecases/review/common.ts';
import { loadCriteria, loadJudges } from '../usecases/evaluation/results.ts';
import {
  DESK_HEADER,
  DESK_HEADER_VALUE,
  DOC_KINDS,
  auditQuery,
  loginQuery,
  reviewDecisionBody,
  scheduleMoveBody,
  unitUpdateBody,
  yearQuery,
  type ApiError,
  type AuditResponse,
  type DeskEvent,
  type DocKind,
  type Me,
  type Role,
  type ScheduleMoveResult,
  type SettingsResponse,
  type UnitImportResult,
} from './api.ts';
import { campaignList, evaluationView, overview, reviewQueue, scheduleBoard, settingsOf, submissionRows, summariesView, unitList } from './queries.ts';
import { describeSettings, parseSettings } from '../domain/campaign.ts';
import { importDirectory } from '../usecases/import-directory.ts';
import { parseDirectory, type DirectoryError } from '../domain/directory.ts';
import { DeskEvents } from './events.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, STATE_COOKIE, SessionSigner, cookie, readCookie, sessionSecret } from './session.ts';
import { escapeHtml, sendHtmlPage } from '../adapters/http/html-page.ts';

export interface DeskRouterOptions {
  services: () => AppServices;
  signIn: () => FeishuSignIn;
  /** the built web bundle (index.html + assets); default: dist-desk/ at the repository root */
  staticDir?: string;
  /** cookie signing key (default: derived from the app secret; local mode: random per run) */
  secret?: Buffer;
  /** SSE poll interval (tests) */
  eventsPollMs?: number;
}

interface DeskUser {
  openId: string;
  name: string;
  roles: Role[];
}

const STATE_TTL_MS = 10 * 60_000;

function defaultStaticDir(): string {
  for (const rel of ['../../dist-desk/', '../../../dist-desk/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return fileURLToPath(new URL('../../dist-desk/', import.meta.url));
}

const esc = escapeHtml;

/** A refusal or error page of the console; `message` is HTML. */
function htmlPage(res: Response, status: number, title: string, message: string): void {
  sendHtmlPage(res, status, { title, body: `<h1 data-testid="desk-refusal">${esc(title)}</h1><p>${message}</p><p><a href="/desk/login">换一个账号登录</a></p>` });
}

const fail = (res: Response, status: number, error: string, fieldErrors?: Record<string, string>): void => {
  const body: ApiError = fieldErrors ? { error, fieldErrors } : { error };
  res.status(status).json(body);
};

/** 400 with the first problem as the message and every field's problem for the form. */
function invalid(res: Response, error: z.ZodError, fallback = '请求内容不正确'): void {
  const errors = fieldErrorsOf(error);
  fail(res, 400, Object.values(errors)[0] ?? fallback, errors);
}

function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    out[key] ??= issue.message;
  }
  return out;
}

/** The person's desk roles, read from the database on every request. */
export async function rolesOf(tx: Tx, openId: string, configured: readonly string[]): Promise<Role[]> {
  const roles: Role[] = [];
  if (await isCoordinator(tx, openId, configured)) roles.push('coordinator');
  if ((await tx.reviewer.count({ where: { openId } })) > 0) roles.push('reviewer');
  if ((await tx.judge.count({ where: { openId } })) > 0) roles.push('judge');
  return roles;
}

export function createDeskRouter(options: DeskRouterOptions): Router {
  const router = express.Router();
  const services = options.services;
  let signer: SessionSigner | undefined;
  const sign = (): SessionSigner => (signer ??= new SessionSigner(options.secret ?? (services().config.local ? randomBytes(32) : sessionSecret(services().config.feishu.appSecret, services().config.feishu.appId))));
  const now = (): Date => services().clock.now();
  const secure = (req: Request): boolean => req.secure;
  const events = new DeskEvents(() => services().db, options.eventsPollMs);
  const staticDir = options.staticDir ?? defaultStaticDir();

  // ---- sign-in ----------------------------------------------------------------------------------

  router.get('/desk/login', (req, res) => {
    const q = loginQuery.safeParse(req.query);
    const next = q.success && q.data.next && !q.data.next.startsWith('/desk/api') && !q.data.next.includes('//') ? q.data.next : '/desk/';
    const state = randomBytes(16).toString('base64url');
    const at = now().getTime();
    res.setHeader('Set-Cookie', cookie(STATE_COOKIE, sign().sign({ sub: state, name: next, exp: at + STATE_TTL_MS, kind: 'state' }), { maxAgeMs: STATE_TTL_MS, secure: secure(req) }));
    // The redirect URL must be registered in the developer console (安全设置 → 重定向 URL), see README.
    const redirectUri = `${req.protocol}://${req.get('host')}/desk/auth/callback`;
    res.redirect(302, options.signIn().authorizeUrl(redirectUri, state));
  });

  router.get('/desk/auth/callback', async (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const saved = sign().verify(readCookie(req.headers.cookie, STATE_COOKIE), 'state', now());
    if (!code || !saved || saved.sub !== state) {
      htmlPage(res, 400, '登录已失效', '登录请求已过期或不完整，请重新登录。');
      return;
    }
    let user: { openId: string; name: string };
    try {
      user = await options.signIn().exchange(code);
    } catch (error) {
      services().log.warn('desk sign-in failed', { error });
      htmlPage(res, 502, '飞书登录失败', '未能从飞书获取登录身份（授权码可能已使用或过期），请重新登录。');
      return;
    }
    const s = services();
    const roles = await s.db.$transaction((tx: Tx) => rolesOf(tx, user.openId, s.config.coordinatorOpenIds));
    if (roles.length === 0) {
      await s.db.$transaction((tx: Tx) => audit(tx, { actor: user.openId, action: 'desk.login', entity: 'Desk', decision: 'deny', reason: 'not coordinator, reviewer or judge' }, now()));
      res.setHeader('Set-Cookie', cookie(STATE_COOKIE, '', { maxAgeMs: 0, secure: secure(req) }));
      htmlPage(res, 403, '无权使用工作台', `${esc(user.name)}，工作台仅供县政务公开办协调人，以及指定的审核人、评委使用。各单位联系人请在本单位工作群里通过“主题日助手”的卡片填报和查看。如需开通，请联系县政务公开办。`);
      return;
    }
    await s.db.$transaction((tx: Tx) => audit(tx, { actor: user.openId, action: 'desk.login', entity: 'Desk', after: { roles } }, now()));
    const exp = now().getTime() + SESSION_TTL_MS;
    res.setHeader('Set-Cookie', [
      cookie(SESSION_COOKIE, sign().sign({ sub: user.openId, name: user.name, exp, kind: 'session' }), { maxAgeMs: SESSION_TTL_MS, secure: secure(req) }),
      cookie(STATE_COOKIE, '', { maxAgeMs: 0, secure: secure(req) }),
    ]);
    res.redirect(302, saved.name || '/desk/');
  });

  router.post('/desk/logout', (req, res) => {
    res.setHeader('Set-Cookie', cookie(SESSION_COOKIE, '', { maxAgeMs: 0, secure: secure(req) }));
    res.status(204).end();
  });

  // ---- API: session, CSRF ----------------------------------------------------------------------

  const api = express.Router();
  const userOf = (res: Response): DeskUser => res.locals.deskUser as DeskUser;

  api.use(async (req, res, next) => {
    try {
      const session = sign().verify(readCookie(req.headers.cookie, SESSION_COOKIE), 'session', now());
      if (!session) return fail(res, 401, '未登录');
      const s = services();
      const roles = await s.db.$transaction((tx: Tx) => rolesOf(tx, session.sub, s.config.coordinatorOpenIds));
      if (roles.length === 0) return fail(res, 403, '你已不是协调人、审核人或评委，无权使用工作台');
      res.locals.deskUser = { openId: session.sub, name: session.name, roles } satisfies DeskUser;
      // A cross-site form cannot set a custom header; SameSite=Lax already keeps the cookie off cross-site POSTs.
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.get(DESK_HEADER) !== DESK_HEADER_VALUE) return fail(res, 403, `请求缺少 ${DESK_HEADER} 头（防跨站请求）`);
      next();
    } catch (error) {
      next(error);
    }
  });

  const requireRole =
    (...allowed: Role[]) =>
    (_req: Request, res: Response, next: NextFunction) => {
      if (userOf(res).roles.some((r) => allowed.includes(r))) return next();
      fail(res, 403, allowed.includes('reviewer') ? '只有县政务公开办协调人和指定的审核人可以审核主题' : allowed.includes('judge') ? '只有协调人和评委可以查看评选' : '只有县政务公开办协调人可以使用此功能');
    };
  const coordinatorOnly = requireRole('coordinator');

  /** ?year, else the campaign the chat would pick for this page. */
  const campaignFor = async (req: Request, res: Response, intent: CampaignIntent): Promise<ResolvedCampaign | null> => {
    const q = yearQuery.safeParse(req.query);
    if (!q.success) {
      fail(res, 400, '年份格式不正确', fieldErrorsOf(q.error));
      return null;
    }
    const c = await resolveCampaign(services().db, intent, { now: now(), year: q.data.year });
    if (!c) fail(res, 404, q.data.year ? `没有 ${q.data.year} 年的主题日活动` : '当前没有进行中的主题日活动');
    return c;
  };

  const read = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => services().db.$transaction(fn, { timeout: 60_000 });
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      fn(req, res).catch(next);
    };
  /** A change with a JSON body: `guard` first, then the body parsed with `schema` (a bad body is answered 400 with the fields). */
  const withBody = <S extends z.ZodType>(limit: string, guard: ReturnType<typeof requireRole>, schema: S, fn: (body: z.infer<S>, req: Request, res: Response) => Promise<void>) =>
    [
      express.json({ limit }),
      guard,
      wrap(async (req, res) => {
        const body = schema.safeParse(req.body);
        if (!body.success) return invalid(res, body.error);
        await fn(body.data, req, res);
      }),
    ] as const;
  /** Runs a change as the signed-in person, like a chat event: one transaction, audited, notifications through the outbox. */
  const asPerson = <T>(res: Response, fn: (ctx: HandlerContext) => Promise<T>, eventId = `desk:${randomUUID()}`): Promise<T> => withContext(services(), userOf(res).openId, fn, { eventId });
  /** GET `path` on the campaign the request names (?year), or this stage's one (answered already when there is none). */
  const campaignGet = (path: string, guard: ReturnType<typeof requireRole>, intent: CampaignIntent, fn: (c: ResolvedCampaign, req: Request, res: Response) => Promise<void>) =>
    api.get(
      path,
      guard,
      wrap(async (req, res) => {
        const c = await campaignFor(req, res, intent);
        if (c) await fn(c, req, res);
      }),
    );
  /** GET `path`: a read-only view of the campaign the request names (?year), or this stage's one. */
  const campaignView = (path: string, guard: ReturnType<typeof requireRole>, intent: CampaignIntent, view: (tx: Tx, c: ResolvedCampaign) => Promise<unknown>) =>
    campaignGet(path, guard, intent, async (c, _req, res) => void res.json(await read((tx) => view(tx, c))));

  api.get('/me', (_req, res) => {
    const u = userOf(res);
    const me: Me = { openId: u.openId, name: u.name, roles: u.roles };
    res.json(me);
  });

  api.get(
    '/campaigns',
    wrap(async (_req, res) => void res.json(await read((tx) => campaignList(tx, now())))),
  );

  campaignView('/overview', coordinatorOnly, 'collecting', (tx, c) => overview(tx, c, now()));
  campaignView('/submissions', coordinatorOnly, 'collecting', async (tx, c) => ({ year: c.year, rows: await submissionRows(tx, c) }));

  // ---- review ----------------------------------------------------------------------------------

  campaignGet('/review', requireRole('coordinator', 'reviewer'), 'reviewing', async (c, req, res) => {
    const allowed = await read(async (tx) => userOf(res).roles.includes('coordinator') || (await tx.reviewer.count({ where: { campaignId: c.id, openId: userOf(res).openId } })) > 0);
    if (!allowed) return fail(res, 403, `你不是 ${c.year} 年的审核人`);
    res.json(await read((tx) => reviewQueue(tx, c)));
  });

  api.post(
    '/review/decision',
    ...withBody('64kb', requireRole('coordinator', 'reviewer'), reviewDecisionBody, async (body, req, res) => {
      // Same validation as the card (reason required to return or reject, at most 300 characters).
      const parsed = parseDecision(body.decision, body.reason ?? '', body.fields ?? []);
      if (!parsed.ok) return fail(res, 400, Object.values(parsed.errors)[0] ?? '请检查填写内容', parsed.errors);
      const user = userOf(res);
      const outcome = await asPerson(res, async (ctx) => {
        const theme = await ctx.tx.theme.findUnique({ where: { id: body.themeId }, select: { version: true, submission: { select: { campaign: true } } } });
        if (!theme) return { status: 404, error: '找不到这个主题，请刷新' } as const;
        const campaign = theme.submission.campaign;
        const mayReview = user.roles.includes('coordinator') || (await ctx.tx.reviewer.count({ where: { campaignId: campaign.id, openId: user.openId } })) > 0;
        if (!mayReview) {
          await ctx.audit({ action: 'review.decide', entity: 'Theme', entityId: body.themeId, decision: 'deny', reason: 'desk: not a reviewer of this campaign' });
          return { status: 403, error: `你不是 ${campaign.year} 年的审核人` } as const;
        }
        const result = await decideTheme(ctx, campaign, { themeId: body.themeId, version: body.themeVersion ?? theme.version, ...parsed.value });
        if (!result.ok) return { status: result.reason === 'not_found' ? 404 : 409, error: result.message } as const;
        return { status: 200, reviewStatus: result.status } as const;
      });
      if (outcome.status !== 200) return fail(res, outcome.status, outcome.error);
      res.json({ ok: true, themeId: body.themeId, reviewStatus: outcome.reviewStatus });
    }),
  );

  // ---- schedule ----------------------------------------------------------------------------------

  campaignView('/schedule', coordinatorOnly, 'reviewing', scheduleBoard);

  api.post(
    '/schedule/move',
    ...withBody('16kb', coordinatorOnly, scheduleMoveBody, async (body, req, res) => {
      const outcome = await asPerson(res, async (ctx) => {
        const theme = await ctx.tx.theme.findUnique({ where: { id: body.themeId }, select: { submission: { select: { campaign: true } } } });
        if (!theme) return { ok: false as const, status: 404, error: '找不到这个活动，请刷新计划安排表' };
        const campaign = theme.submission.campaign;
        const result = await moveThemeMonth(ctx, campaign, body);
        if (!result.ok) return { ok: false as const, status: 409, error: result.message };
        return { ok: true as const, result, campaign };
      });
      if (!outcome.ok) return fail(res, outcome.status, outcome.error);
      const board = await read((tx) => scheduleBoard(tx, outcome.campaign));
      const answer: ScheduleMoveResult = { ok: true, mode: outcome.result.mode, from: outcome.result.from, to: outcome.result.to, board };
      res.json(answer);
    }),
  );

  // ---- evaluation / units / settings / audit -------------------------------------------------------

  campaignView('/evaluation', requireRole('coordinator', 'judge'), 'evaluation', evaluationView);

  campaignView('/summaries', coordinatorOnly, 'summaries', async (tx, c) => ({ year: c.year, items: await summariesView(tx, c) }));

  api.get(
    '/photos/:id',
    coordinatorOnly,
    wrap(async (req, res) => {
      const photo = await services().db.attachment.findFirst({ where: { id: String(req.params.id), deletedAt: null }, select: { storagePath: true, mimeType: true } });
      if (!photo) return fail(res, 404, '照片不存在或已删除');
      res.setHeader('Cache-Control', 'private, max-age=3600');
      res.type(photo.mimeType).send(await services().storage.get(photo.storagePath));
    }),
  );

  // The same import as `units import` (every row checked first; one bad row writes nothing).
  api.post(
    '/units/import',
    coordinatorOnly,
    express.raw({ type: () => true, limit: '10mb' }),
    wrap(async (req, res) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (bytes.length === 0) return fail(res, 400, '请选择要导入的 .xlsx 或 .csv 文件');
      const { readDirectoryCsv, readDirectoryXlsx, DirectoryFileError } = await import('../adapters/files/directory-reader.ts');
      const dryRun = req.query.dryRun === '1';
      let table;
      try {
        // An .xlsx is a zip (PK…); anything else is read as CSV (UTF-8 or GBK).
        table = bytes[0] === 0x50 && bytes[1] === 0x4b ? await readDirectoryXlsx(bytes) : readDirectoryCsv(bytes);
      } catch (error) {
        if (error instanceof DirectoryFileError) return fail(res, 400, error.message);
        throw error;
      }
      const toErrors = (errors: DirectoryError[]) => errors.map((e) => ({ row: e.line, message: e.column ? `${e.column}：${e.reason}` : e.reason }));
      const empty = { created: 0, updated: 0, unchanged: 0 };
      const parsed = parseDirectory(table);
      if (!parsed.ok) return void res.status(422).json({ ok: false, applied: false, ...empty, errors: toErrors(parsed.errors) } satisfies UnitImportResult);
      if (dryRun) return void res.json({ ok: true, applied: false, ...empty, errors: [] } satisfies UnitImportResult);
      const result = await importDirectory(services().db, { table, actorOpenId: userOf(res).openId, now: now(), source: 'desk upload' });
      if (!result.ok) return void res.status(422).json({ ok: false, applied: false, ...empty, errors: toErrors(result.errors) } satisfies UnitImportResult);
      res.json({ ok: true, applied: true, ...result.counts.units, errors: [] } satisfies UnitImportResult);
    }),
  );

  api.get(
    '/units',
    coordinatorOnly,
    wrap(async (_req, res) => void res.json(await read((tx) => unitList(tx)))),
  );

  api.put(
    '/units/:id',
    ...withBody('16kb', coordinatorOnly, unitUpdateBody, async (body, req, res) => {
      const id = String(req.params.id);
      const outcome = await asPerson(res, async (ctx) => {
        const before = await ctx.tx.unit.findUnique({ where: { id }, select: { name: true, shortName: true, kind: true, sortOrder: true, active: true } });
        if (!before) return { status: 404, error: '找不到这个单位' };
        if (body.name && body.name !== before.name && (await ctx.tx.unit.count({ where: { name: body.name } })) > 0) return { status: 409, error: `已有名为“${body.name}”的单位` };
        const after = await ctx.tx.unit.update({ where: { id }, data: body, select: { name: true, shortName: true, kind: true, sortOrder: true, active: true } });
        await ctx.audit({ action: 'unit.update', entity: 'Unit', entityId: id, before, after });
        return { status: 200, error: '' };
      });
      if (outcome.status !== 200) return fail(res, outcome.status, outcome.error);
      res.json((await read((tx) => unitList(tx))).find((u) => u.id === id));
    }),
  );

  campaignGet('/settings', coordinatorOnly, 'reviewing', async (c, req, res) => {
    const out: SettingsResponse = await read(async (tx) => {
      const reviewers = await tx.reviewer.findMany({ where: { campaignId: c.id }, orderBy: { createdAt: 'asc' } });
      const judges = await loadJudges(tx, c.id);
      const coordinators = await tx.coordinator.findMany({ orderBy: { createdAt: 'asc' } });
      const configured = services().config.coordinatorOpenIds.filter((id) => !coordinators.some((x) => x.openId === id));
      const names = await namesOf(tx, configured);
      return {
        year: c.year,
        settings: settingsOf(c),
        settingLines: describeSettings(parseSettings(c.settings)),
        reviewers: reviewers.map((r) => ({ openId: r.openId, name: r.name })),
        judges: judges.map((j) => ({ openId: j.openId, name: j.name, unitName: j.unitName || null })),
        coordinators: [...coordinators.map((x) => ({ openId: x.openId, name: x.name })), ...configured.map((id) => ({ openId: id, name: names.get(id) ?? id }))],
        criteria: (await loadCriteria(tx, c.id)).map((k) => ({ key: k.key, label: k.name, max: k.maxScore })),
      };
    });
    res.json(out);
  });

  api.get(
    '/audit',
    coordinatorOnly,
    wrap(async (req, res) => {
      const q = auditQuery.safeParse(req.query);
      if (!q.success) return invalid(res, q.error, '查询条件不正确');
      const today = shanghaiDate(now());
      const from = atShanghai(q.data.from ?? addDays(today, -30));
      const to = atShanghai(addDays(q.data.to ?? today, 1));
      const limit = q.data.limit ?? 1000;
      const where = {
        at: { gte: from, lt: to },
        ...(q.data.actor ? { actorOpenId: q.data.actor } : {}),
        ...(q.data.action ? { action: { startsWith: q.data.action } } : {}),
      };
      if (q.data.format === 'csv') {
        const rows = await services().db.auditLog.findMany({ where, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`审计日志_${q.data.from ?? ''}_${q.data.to ?? today}.csv`)}`);
        // Loaded on first use: exceljs and docx stay out of the start-up path.
        const { auditCsvText } = await import('../adapters/files/audit-export.ts');
        res.type('text/csv; charset=utf-8').send(auditCsvText(rows));
        return;
      }
      const rows = await services().db.auditLog.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit + 1 });
      const names = await read((tx) =>
        namesOf(
          tx,
          rows.map((r) => r.actorOpenId),
        ),
      );
      const out: AuditResponse = {
        truncated: rows.length > limit,
        rows: rows.slice(0, limit).map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actorOpenId: r.actorOpenId,
          actorName: names.get(r.actorOpenId) ?? r.actorOpenId,
          action: r.action,
          entity: r.entity,
          entityId: r.entityId,
          decision: r.decision,
          reason: r.reason,
          before: r.before,
          after: r.after,
        })),
      };
      res.json(out);
    }),
  );

  // ---- documents ----------------------------------------------------------------------------------

  const docKind = z.enum(DOC_KINDS);
  const docCampaign = (kind: DocKind): CampaignIntent => (kind === 'schedule' ? 'reviewing' : kind === 'evaluation' ? 'evaluation' : 'summaries');

  campaignGet('/docs/evidence.zip', coordinatorOnly, 'summaries', async (c, req, res) => {
    const { buildEvidenceZip } = await import('../usecases/evaluation/exports.ts');
    const zip = await buildEvidenceZip(services().db, services().storage, services().files, c, now());
    res.setHeader('Content-Disposition', `attachment; filename="evidence-${c.year}.zip"; filename*=UTF-8''${encodeURIComponent(`${c.year}年主题日活动佐证材料.zip`)}`);
    res.type('application/zip').send(zip);
  });

  api.get(
    '/docs/:file',
    coordinatorOnly,
    wrap(async (req, res) => {
      const kind = docKind.safeParse(String(req.params.file).replace(/\.docx$/, ''));
      if (!kind.success || !String(req.params.file).endsWith('.docx')) return fail(res, 404, '没有这种文档');
      const c = await campaignFor(req, res, docCampaign(kind.data));
      if (!c) return;
      const { buildDoc, docFileName } = await import('./documents.ts');
      const buffer = await read((tx) => buildDoc(kind.data, tx, c, now()));
      res.setHeader('Content-Disposition', `attachment; filename="${kind.data}-${c.year}.docx"; filename*=UTF-8''${encodeURIComponent(docFileName(kind.data, c.year))}`);
      res.type('application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(buffer);
    }),
  );

  api.post(
    '/docs/:kind/send',
    coordinatorOnly,
    wrap(async (req, res) => {
      const kind = docKind.safeParse(req.params.kind);
      if (!kind.success) return fail(res, 404, '没有这种文档');
      const c = await campaignFor(req, res, docCampaign(kind.data));
      if (!c) return;
      const s = services();
      const user = userOf(res);
      const at = now();
      const { buildDoc, docFileName } = await import('./documents.ts');
      const buffer = await read((tx) => buildDoc(kind.data, tx, c, at));
      const requestId = randomUUID();
      const storedPath = await s.storage.put(`desk/${c.id}/${kind.data}-${requestId}.docx`, buffer);
      const fileName = docFileName(kind.data, c.year);
      await asPerson(
        res,
        async (ctx) => {
          // To the coordinator privately: the 计划安排表 carries full phone numbers.
          await ctx.enqueue(`desk-doc:${kind.data}:${c.id}:${requestId}`, { op: 'file', to: { openId: user.openId }, fileName, fileType: 'doc', storedPath, fullPhones: true });
          await ctx.audit({ action: 'desk.doc_send', entity: 'Campaign', entityId: c.id, after: { kind: kind.data, fileName } });
        },
        `desk:${requestId}`,
      );
      res.json({ ok: true, fileName });
    }),
  );

  // ---- live updates --------------------------------------------------------------------------------

  api.get('/events', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    const send = (e: DeskEvent) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    send({ type: 'hello', at: new Date().toISOString() });
    const off = events.subscribe(send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(ping);
      off();
    });
  });

  api.use((_req, res) => fail(res, 404, '没有这个接口'));
  // Errors inside the API answer JSON in Chinese; details go to the log only.
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if ((error as { type?: string }).type === 'entity.parse.failed') return fail(res, 400, '请求内容不是有效的 JSON');
    services().log.error('desk api failed', { error });
    if (!res.headersSent) fail(res, 500, '服务器出错，请稍后重试');
  });

  router.use('/desk/api', api);

  // ---- the web bundle ---------------------------------------------------------------------------------

  router.use('/desk', express.static(staticDir, { index: false, maxAge: '1h', fallthrough: true }));
  router.get(/^\/desk(\/.*)?$/, (req, res) => {
    if (!readCookie(req.headers.cookie, SESSION_COOKIE) || !sign().verify(readCookie(req.headers.cookie, SESSION_COOKIE), 'session', now())) {
      res.redirect(302, `/desk/login?next=${encodeURIComponent(req.originalUrl.startsWith('/desk') ? req.originalUrl : '/desk/')}`);
      return;
    }
    const index = `${staticDir.replace(/\/+$/, '')}/index.html`;
    if (!existsSync(index)) {
      htmlPage(res, 503, '工作台尚未构建', '请先运行 <code>npm run build:desk</code>（<code>npm ci</code> 会自动构建）。');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });

  return router;
}
