// The express app: health endpoints, the Feishu routes and (local mode) the emulator and the
// browser workspace on the same port. JSON parsing is never global: the Feishu routes need the
// raw bytes for their signature.
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type Router } from 'express';
import type { AppServices, ReadinessCheck } from '../../app/bot.ts';
import type { Logger } from '../../app/log.ts';
import { DOWNLOAD_PATH } from '../../app/download-links.ts';
import { downloadHandler } from './downloads.ts';
import { requestLog } from './request-log.ts';

export interface HttpAppOptions {
  services: AppServices;
  ping(): Promise<void>;
  /** mounted first (the Feishu routes) */
  feishu?: Router;
  /** mounted after (local mode: workspace, then emulator) */
  extra?: Router[];
  /** request logging with request ids (request-log.ts) */
  log?: Logger;
  /** GET /metrics (Prometheus text) */
  metrics?: { text(): Promise<string>; contentType: string; token: string | undefined };
  /** true while shutting down: new Feishu pushes get 503 so Feishu delivers them again later */
  draining?(): boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** A bearer token when METRICS_TOKEN is set; otherwise loopback callers only (req.ip honours a local proxy's X-Forwarded-For). */
function metricsAllowed(req: Request, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  return LOOPBACK.test(req.ip ?? '');
}

const PING_TIMEOUT_MS = 2000;
const TOKEN_CACHE_MS = 60_000;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  let tokenCheck: { at: number; ok: boolean } | undefined;

  // One id per request, on its log line and echoed back in the response header.
  if (options.log) app.use(requestLog(options.log));

  app.get('/metrics', async (req, res) => {
    if (!options.metrics) {
      res.status(404).end();
      return;
    }
    if (!metricsAllowed(req, options.metrics.token)) {
      res.status(403).type('text/plain').send('forbidden\n');
      return;
    }
    res.type(options.metrics.contentType).send(await options.metrics.text());
  });

  if (options.draining) {
    const draining = options.draining;
    app.use('/feishu', (_req, res, next) => {
      if (!draining()) return next();
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: 'shutting down' });
    });
  }

  const databaseOk = async (): Promise<boolean> => {
    try {
      await withTimeout(options.ping(), PING_TIMEOUT_MS);
      return true;
    } catch {
      return false;
    }
  };

  app.get('/healthz', async (_req, res) => {
    if (await databaseOk()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', database: 'error' });
  });

  app.get('/readyz', async (_req, res) => {
    const database = await databaseOk();
    if (!tokenCheck || Date.now() - tokenCheck.at > TOKEN_CACHE_MS || !tokenCheck.ok) {
      const ok = await withTimeout(options.services.gateway.tokenHealthy(), 5000).catch(() => false);
      tokenCheck = { at: Date.now(), ok };
    }
    const contributors: ReadinessCheck[] = options.services.readiness ?? [];
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    for (const c of contributors) {
      checks[c.name] = await withTimeout(c.check(), 5000).catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
    }
    const ok = database && tokenCheck.ok && Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'degraded',
      database: database ? 'ok' : 'error',
      feishu: tokenCheck.ok ? 'ok' : 'error',
      ...checks,
    });
  });

  // Generated files through their signed links (cards' 下载 buttons).
  app.get(
    `${DOWNLOAD_PATH}/:id`,
    downloadHandler(() => options.services),
  );

  if (options.feishu) app.use(options.feishu);
  for (const r of options.extra ?? []) app.use(r);
  return app;
}
