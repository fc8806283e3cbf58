// One id per request (the caller's X-Request-Id when it sends a sane one), echoed in the answer and
// on the request's log line, written when the answer is finished (or the client went away).
// Replaces pino-http, which made a child logger per request and pino redacted its bindings each
// time (~0.25 ms a request, also at levels that write nothing): under a burst of Feishu pushes
// that was a share of every acknowledgement. Lines go through the app's Logger, so its redaction
// still applies to what is written, and a level that writes nothing costs nothing here.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../../app/log.ts';

const REQUEST_ID = /^[\w.:-]{1,100}$/;
/** Polled by load balancers and monitors: no line for them. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    if (QUIET_PATHS.has(req.path)) return next();
    const started = performance.now();
    const url = req.originalUrl;
    const method = req.method;
    const written = (aborted: boolean) => {
      const statusCode = res.statusCode;
      // An event stream (the workspace's live updates, the desk's) never finishes: it ends when the
      // browser closes or leaves the page, which is no fault of anyone's.
      const stream = aborted && String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
      // Feishu's pushes and callbacks at info; the rest (workspace, emulator, downloads) at debug.
      const level = statusCode >= 500 ? 'error' : statusCode >= 400 || (aborted && !stream) ? 'warn' : url.startsWith('/feishu/') ? 'info' : 'debug';
      log[level](stream ? 'stream closed' : aborted ? 'request aborted' : 'request completed', { req: { id, method, url }, res: { statusCode }, responseTime: Math.round(performance.now() - started) });
    };
    res.once('finish', () => written(false));
    res.once('close', () => {
      if (!res.writableFinished) written(true);
    });
    next();
  };
}
