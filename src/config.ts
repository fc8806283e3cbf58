// Configuration, parsed once with zod from the environment (and an optional .env). A wrong or
// missing value stops start-up with one Chinese + English line naming the variable, what was
// given and what is expected. Secrets are never printed.
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseAllowlist } from './adapters/http/address-policy.ts';

const SECRETS = new Set(['FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN', 'METRICS_TOKEN', 'DOWNLOAD_LINK_SECRET']);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: '应为 true 或 false / expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

/** A value the environment got wrong: the message names what is expected (Chinese / English). */
class Invalid {
  constructor(readonly message: string) {}
}

/** An optional environment variable read by `read`, which returns the value or Invalid. */
function envValue<T>(read: (v: string | undefined) => T | Invalid) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      const r = read(v);
      if (!(r instanceof Invalid)) return r as Exclude<T, Invalid>;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    });
}

const int = (fallback: number, min: number, max: number) =>
  envValue((v) => {
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : new Invalid(`应为 ${min}–${max} 的整数 / expected an integer ${min}–${max}`);
  });

/** A secret of at least `min` characters, or none. */
const secret = (min: number) => envValue((v) => (v === undefined || v === '' ? undefined : v.length >= min ? v : new Invalid(`至少 ${min} 个字符 / at least ${min} characters`)));

const openIdList = envValue((v) => {
  const ids = (v ?? '').split(/[,\s]+/).filter(Boolean);
  return ids.every((id) => /^ou_[A-Za-z0-9_-]+$/.test(id)) ? ids : new Invalid('应为逗号分隔的 open_id（ou_ 开头）/ expected comma-separated open_ids starting with ou_');
});

const databaseUrl = envValue((v) => {
  const url = v && v.trim() !== '' ? v.trim() : 'file:./data/themeday.db';
  if (url.startsWith('file:') && url.length > 'file:'.length) return url;
  if (/^postgres(ql)?:\/\//.test(url) && urlOf(url)?.hostname) return url;
  return new Invalid('应为 file:路径（SQLite）或 postgresql://用户@主机:端口/库 / expected file:PATH (SQLite) or postgresql://user@host:port/db');
});

const domain = envValue((v) => {
  const value = (v ?? 'feishu').trim();
  if (value === 'feishu' || value === 'lark') return value;
  if (/^https?:\/\/[^\s/]+/.test(value)) return value.replace(/\/+$/, '');
  return new Invalid('应为 feishu、lark 或 http(s) 地址 / expected feishu, lark or an http(s) URL');
});

const timeOfDay = (fallback: string) =>
  envValue((v) => {
    const value = v && v !== '' ? v : fallback;
    return /^([01]\d|2[0-3]):([0-5]\d)$/.test(value) ? value : new Invalid('应为 HH:MM（24 小时制）/ expected HH:MM (24-hour)');
  });

const linkAllowlist = envValue((v) => {
  try {
    return parseAllowlist(v).entries.join(',');
  } catch {
    return new Invalid('应为逗号分隔的主机名、*.域名后缀、IP 地址或 CIDR 网段 / expected comma-separated host names, *.suffixes, IP addresses or CIDR ranges');
  }
});

/** The parsed URL, or undefined when the text is not one. */
function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: '应为 development、production 或 test / expected development, production or test' }).default('development'),
  // 0: any free port (logged at start-up)
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent'], { message: '应为 debug、info、warn、error 或 silent / expected debug, info, warn, error or silent' }).default('info'),
  // SIGTERM: how long a clean stop may take before the process exits anyway
  SHUTDOWN_TIMEOUT_SECONDS: int(20, 1, 300),
  LOG_FILE: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined)),
  // Government systems keep logs at least six months.
  LOG_RETENTION_DAYS: int(180, 1, 3650),
  METRICS_TOKEN: secret(16),
  FEISHU_APP_ID: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined)),
  FEISHU_APP_SECRET: z
    .string()
    .optional()
    .transform((v) => (v && v !== '' ? v : undefined)),
  FEISHU_VERIFICATION_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v && v !== '' ? v : undefined)),
  FEISHU_ENCRYPT_KEY: z
    .string()
    .optional()
    .transform((v) => (v && v !== '' ? v : undefined)),
  FEISHU_DOMAIN: domain,
  FEISHU_EVENT_MODE: z.enum(['ws', 'webhook'], { message: '应为 ws（长连接）或 webhook / expected ws or webhook' }).default('ws'),
  COORDINATOR_OPEN_IDS: openIdList,
  COORDINATOR_CHAT_ID: z
    .string()
    .optional()
    .transform((v) => (v && v !== '' ? v : undefined)),
  STORAGE_DIR: z.string().default('./data/files'),
  FEISHU_RATE_PER_SECOND: int(50, 1, 1000),
  FEISHU_RATE_PER_MINUTE: int(1000, 1, 100000),
  FEISHU_RATE_PER_CHAT: int(5, 1, 100),
  OUTBOX_MAX_ATTEMPTS: int(8, 1, 100),
  REMINDER_TIME: timeOfDay('09:30'),
  REMINDER_GRACE_HOURS: int(4, 0, 24),
  EVIDENCE_CHECK_LINKS: bool(true),
  LINK_CHECK_ALLOW: linkAllowlist,
  LIAISON_TRUST_GROUP: bool(false),
  MAX_PHOTO_MB: int(10, 1, 30),
  LOCAL_DEMO: bool(true),
  // Where people reach this server (download links in cards); local mode uses its own address.
  PUBLIC_BASE_URL: envValue((v) => {
    if (v === undefined || v.trim() === '') return undefined;
    const t = v.trim().replace(/\/+$/, '');
    const u = urlOf(t);
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.search || u.hash) return new Invalid('应为 http(s) 地址，例如 https://themeday.example.gov.cn / expected an http(s) base URL');
    return t;
  }),
  // Signs download links (HMAC-SHA256); without it a key is derived from FEISHU_APP_SECRET.
  DOWNLOAD_LINK_SECRET: secret(32),
  DOWNLOAD_LINK_DAYS: int(7, 1, 30),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: Env['LOG_LEVEL'];
  /** also write logs to this file, rotated daily (stdout always) */
  logFile: string | undefined;
  logRetentionDays: number;
  shutdownTimeoutMs: number;
  /** bearer token for /metrics; without it /metrics answers loopback callers only */
  metricsToken: string | undefined;
  /** local mode: no Feishu credentials; the built-in emulator and workspace stand in for Feishu */
  local: boolean;
  feishu: {
    appId: string;
    appSecret: string;
    verificationToken: string | undefined;
    encryptKey: string | undefined;
    domain: string;
    eventMode: 'ws' | 'webhook';
  };
  coordinatorOpenIds: string[];
  coordinatorChatId: string | undefined;
  storageDir: string;
  rateLimits: { perSecond: number; perMinute: number; perChat: number };
  outboxMaxAttempts: number;
  reminderTime: string;
  reminderGraceHours: number;
  /**
   * Units whose reminders one tick delivers at once, each reminder in its own transaction (a
   * unit's own reminders stay in order). PostgreSQL overlaps their round trips; SQLite's single
   * writer gains nothing from it, so there it is 1.
   */
  reminderParallelism: number;
  evidenceCheckLinks: boolean;
  /** non-public hosts/addresses the link checker may still fetch (LINK_CHECK_ALLOW), comma-separated */
  linkCheckAllow: string;
  /** a unit's first liaison may bind without a coordinator's confirmation (group membership trusted) */
  liaisonTrustGroup: boolean;
  maxPhotoBytes: number;
  localDemo: boolean;
  /** base of links people open (download links); local mode falls back to the app's own address */
  publicBaseUrl: string | undefined;
  /** HMAC key of download links */
  downloadLinkSecret: string;
  downloadLinkDays: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '（未设置 / not set）';
  if (SECRETS.has(name)) return '"***"';
  return JSON.stringify(value);
}

/** Parse the environment; throws ConfigError with a one-line bilingual message. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '?');
    throw new ConfigError(`配置错误 / configuration error: ${name} = ${shown(name, source[name])} — ${issue.message}`);
  }
  const e = parsed.data;
  const local = e.FEISHU_APP_ID === undefined;
  if (!local && !e.FEISHU_APP_SECRET) {
    throw new ConfigError(`配置错误 / configuration error: FEISHU_APP_SECRET = ${shown('FEISHU_APP_SECRET', undefined)} — 设置 FEISHU_APP_ID 时必须提供 / required when FEISHU_APP_ID is set`);
  }
  if (!local && e.NODE_ENV === 'production' && e.FEISHU_EVENT_MODE === 'webhook') {
    // The SDK's own check fails open without an encrypt key: refuse to run a forgeable endpoint.
    for (const name of ['FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN'] as const) {
      if (!e[name]) {
        throw new ConfigError(`配置错误 / configuration error: ${name} = ${shown(name, undefined)} — 生产环境的 webhook 模式必须设置，否则无法校验请求来源 / required in production webhook mode to verify requests`);
      }
    }
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    logRetentionDays: e.LOG_RETENTION_DAYS,
    metricsToken: e.METRICS_TOKEN,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    local,
    feishu: {
      appId: e.FEISHU_APP_ID ?? 'cli_local0000000000',
      appSecret: e.FEISHU_APP_SECRET ?? 'local-secret',
      verificationToken: e.FEISHU_VERIFICATION_TOKEN,
      encryptKey: e.FEISHU_ENCRYPT_KEY,
      domain: e.FEISHU_DOMAIN,
      eventMode: e.FEISHU_EVENT_MODE,
    },
    coordinatorOpenIds: e.COORDINATOR_OPEN_IDS,
    coordinatorChatId: e.COORDINATOR_CHAT_ID,
    storageDir: e.STORAGE_DIR,
    rateLimits: { perSecond: e.FEISHU_RATE_PER_SECOND, perMinute: e.FEISHU_RATE_PER_MINUTE, perChat: e.FEISHU_RATE_PER_CHAT },
    outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    reminderTime: e.REMINDER_TIME,
    reminderGraceHours: e.REMINDER_GRACE_HOURS,
    reminderParallelism: e.DATABASE_URL.startsWith('file:') ? 1 : 4,
    evidenceCheckLinks: e.EVIDENCE_CHECK_LINKS,
    linkCheckAllow: e.LINK_CHECK_ALLOW,
    liaisonTrustGroup: e.LIAISON_TRUST_GROUP,
    maxPhotoBytes: e.MAX_PHOTO_MB * 1024 * 1024,
    localDemo: e.LOCAL_DEMO,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    downloadLinkSecret:
      e.DOWNLOAD_LINK_SECRET ??
      createHmac('sha256', e.FEISHU_APP_SECRET ?? 'local-secret')
        .update('themeday download links')
        .digest('hex'),
    downloadLinkDays: e.DOWNLOAD_LINK_DAYS,
  };
}

/** Loads ./.env when present (real environment variables win). */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
