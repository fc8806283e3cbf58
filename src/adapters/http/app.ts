// The express app: health endpoints, the Feishu routes and (local mode) the emulator and the
// browser workspace on the same port. JSON parsing is never global: the Feishu routes need the
// raw bytes for their signature.
import express, { type Express, type Router } from 'express';
import type { AppServices, ReadinessCheck } from '../../app/bot.ts';

export interface HttpAppOptions {
  services: AppServices;
  ping(): Promise<void>;
  /** mounted first (the Feishu routes) */
  feishu?: Router;
  /** mounted after (local mode: workspace, then emulator) */
  extra?: Router[];
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

  if (options.feishu) app.use(options.feishu);
  for (const r of options.extra ?? []) app.use(r);
  return app;
}
