// The Open API subset the bot uses, answering with Feishu's envelopes, error codes and limits.
// Paths, params and bodies follow @larksuiteoapi/node-sdk 1.74 lib/index.js.
// One file per resource under openapi/; this file is the wrapper every route runs in and the 404 fallback.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { EmulatorCore } from './core.ts';
import { multipartParts } from './multipart.ts';
import { registerAuthApi } from './openapi/auth.ts';
import { registerCalendarApi } from './openapi/calendar.ts';
import { registerCardApi } from './openapi/cards.ts';
import { registerChatApi } from './openapi/chats.ts';
import { registerFileApi } from './openapi/files.ts';
import { ApiError, checkAuth, errorBody, isRecord, summariseMultipart, type RegisterApi } from './openapi/kit.ts';
import { registerMessageApi } from './openapi/messages.ts';
import { missingScopesFor, scopeDeniedMessage } from './scopes.ts';
import type { ApiCallRecord } from './types.ts';

export { toApiMessage } from './openapi/messages.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function buildOpenApiRouter(core: EmulatorCore): Router {
  const router = express.Router();
  const json = express.json({
    limit: '5mb',
    type: () => true,
    verify: (req, _res, buf) => {
      (req as Request & { bodyBytes?: number }).bodyBytes = buf.length;
    },
  });
  const raw = express.raw({ limit: '64mb', type: () => true });

  const api: RegisterApi = (method, pattern, handler, opts = {}) => {
    const limiterKey = `${method.toUpperCase()} ${pattern}`;
    router[method](pattern, ...(opts.multipart ? [raw, multipartParts] : [json]), async (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      const record: ApiCallRecord = {
        method: req.method,
        path: req.path,
        query: { ...(req.query as Record<string, unknown>) },
        body: undefined,
        status: 0,
        code: undefined,
        at: core.clock(),
        ms: 0,
      };
      record.body = opts.multipart ? summariseMultipart(req) : req.body;
      core.logCall(record);
      res.locals.emuRecord = record;
      let dropAfter = false;
      const originalJson = res.json.bind(res);
      res.json = ((body: unknown) => {
        record.status = res.statusCode;
        record.ms = Math.round(performance.now() - started);
        if (isRecord(body)) {
          if (typeof body.code === 'number') record.code = body.code;
          if (typeof body.msg === 'string') record.msg = body.msg;
        }
        if (dropAfter) {
          record.fault = 'drop-after-effect';
          req.socket.destroy();
          return res;
        }
        return originalJson(body);
      }) as Response['json'];
      try {
        const receiveId = isRecord(req.body) && typeof req.body.receive_id === 'string' ? req.body.receive_id : undefined;
        const decision = core.faults.decide(req.method, req.path, receiveId);
        if (decision.latencyMs > 0) await sleep(decision.latencyMs);
        if (decision.kind === 'drop' && !decision.afterEffect) {
          record.fault = 'drop';
          record.ms = Math.round(performance.now() - started);
          req.socket.destroy();
          return;
        }
        if (decision.kind === '5xx') {
          record.fault = '5xx';
          res.status(500).json(errorBody(1500, 'Internal Server Error (emulator fault)'));
          return;
        }
        if (decision.kind === '429') {
          record.fault = '429';
          throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(core.rateLimits ? core.rateLimits.appQps : 50), 'x-ogw-ratelimit-reset': String(decision.resetSeconds) });
        }
        if (decision.kind === 'drop') dropAfter = true;
        if (opts.auth !== false) checkAuth(core, req);
        const missing = missingScopesFor(method, pattern, core.faults.revokedScopes);
        if (missing) throw new ApiError(400, 99991672, scopeDeniedMessage(core.options.appId, missing));
        if (core.rateLimits) {
          const { appQps, appQpm } = core.rateLimits;
          const secKey = `app-s:${limiterKey}`;
          const minKey = `app-m:${limiterKey}`;
          if (!core.hit(secKey, appQps, 1000)) {
            throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(appQps), 'x-ogw-ratelimit-reset': String(core.resetSeconds(secKey, 1000)) });
          }
          if (!core.hit(minKey, appQpm, 60_000)) {
            throw new ApiError(429, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(appQpm), 'x-ogw-ratelimit-reset': String(core.resetSeconds(minKey, 60_000)) });
          }
        }
        await handler(req, res);
      } catch (error) {
        if (error instanceof ApiError) {
          res.set(error.headers);
          res.status(error.httpStatus).json(errorBody(error.code, error.message));
          return;
        }
        next(error);
      }
    });
  };

  registerAuthApi(api, core);
  registerMessageApi(api, core);
  registerFileApi(api, core);
  registerChatApi(api, core);
  registerCardApi(api, core);
  registerCalendarApi(api, core);

  // Anything else under /open-apis: Feishu answers 404 for unknown paths.
  router.all('/open-apis/{*rest}', (req, res) => {
    core.logCall({ method: req.method, path: req.path, query: { ...(req.query as Record<string, unknown>) }, body: undefined, status: 404, code: undefined, at: core.clock(), ms: 0 });
    res.status(404).json({ code: 404, msg: `404 page not found (emulator does not implement ${req.method} ${req.path})` });
  });

  return router;
}
