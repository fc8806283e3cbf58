// The app's structured logger, built on pino: one JSON line per entry on stdout (and optionally a
// file rotated daily by pino-roll). Secrets, tokens and phone numbers are removed by pino's own
// redaction (paths + censor) and error serializer, configured once here, never regexed from the
// finished line.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type DestinationStream, type Logger as PinoLogger, type StreamEntry } from 'pino';
import type { SonicBoom } from 'sonic-boom';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Fields that always carry a secret or a credential, at any depth up to two levels. */
const SECRET_KEYS = [
  'secret',
  'appSecret',
  'app_secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'tenant_access_token',
  'tenantAccessToken',
  'app_access_token',
  'refresh_token',
  'encryptKey',
  'encrypt_key',
  'verificationToken',
  'verification_token',
  'authorization',
  'cookie',
  'databaseUrl',
  'DATABASE_URL',
  'metricsToken',
];
/** Fields that carry a person's phone number: shown as 138****5678. */
const PHONE_KEYS = ['phone', 'mobile', 'phoneNumber', 'mobilePhone', 'leaderPhone', 'liaisonPhone'];

export const REDACTED = '[已隐藏]';

function paths(keys: string[]): string[] {
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

/** Mainland mobile numbers inside a phone field keep their first 3 and last 4 digits. */
export function maskPhone(value: unknown): string {
  const s = String(value ?? '');
  const digits = s.replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : REDACTED;
}

const PHONE_FIELD = new Set(PHONE_KEYS);

const MOBILE_IN_TEXT = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** Errors: name, message (a phone number quoted in it is masked) and the top of the stack. */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const mask = (s: string | undefined) => s?.replace(MOBILE_IN_TEXT, '$1****$2');
  const out: Record<string, unknown> = { name: value.name, message: mask(value.message), stack: mask(value.stack?.split('\n').slice(0, 4).join('\n')) };
  const code = (value as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  return out;
}

export const LOG_REDACTION = {
  paths: [...paths(SECRET_KEYS), ...paths(PHONE_KEYS), 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-lark-signature"]'],
  censor: (value: unknown, where: string[]): unknown => (PHONE_FIELD.has(where[where.length - 1] ?? '') ? maskPhone(value) : REDACTED),
};

export interface LoggerOptions {
  /** bound fields on every line */
  base?: Record<string, unknown>;
  /** where lines go (default: stdout) */
  destination?: DestinationStream;
}

/** The pino options every logger of the app shares. */
export function pinoOptions(level: LogLevel): pino.LoggerOptions {
  return {
    level,
    base: undefined,
    messageKey: 'msg',
    timestamp: () => `,"t":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: LOG_REDACTION,
    serializers: { error: serializeError, err: serializeError },
  };
}

/**
 * A Logger over `root` with `bindings` on every line. The pino child is made on the first line
 * actually written: children are made per event and per outbox attempt, and pino redacts a child's
 * bindings when it is made (~0.2 ms with our wildcard paths), mostly for lines a level never shows.
 */
function wrap(root: PinoLogger, bindings?: Record<string, unknown>): Logger {
  let own: PinoLogger | undefined = bindings ? undefined : root;
  const self = () => (own ??= root.child(bindings!));
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (!root.isLevelEnabled(level)) return;
      if (fields) self()[level](fields, msg);
      else self()[level](msg);
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(root, { ...bindings, ...fields }),
  };
  return logger;
}

export function createLogger(level: LogLevel = 'info', options: LoggerOptions = {}): Logger {
  const p = pino(pinoOptions(level), options.destination ?? pino.destination({ dest: 1, sync: true }));
  return wrap(p, options.base);
}

export interface LogFileOptions {
  /** base path, e.g. ./data/logs/themeday.log → themeday.2026-03-02.1.log */
  file: string;
  /** days of files kept besides today's (default 180) */
  retentionDays: number;
}

export interface LogDestination {
  stream: DestinationStream;
  /** flushes and closes the file (stdout stays open) */
  close(): Promise<void>;
}

/** Opens a file rotated at local midnight (daily), keeping `retentionDays` previous days. */
export async function openLogFile(options: LogFileOptions): Promise<LogDestination & { stream: SonicBoom }> {
  const parsed = path.parse(path.resolve(options.file));
  mkdirSync(parsed.dir, { recursive: true });
  // Loaded only when a log file is configured: pino-roll requires all of date-fns (~300 CommonJS
  // modules, a few MB of idle memory) for its date formatting.
  const { default: pinoRoll } = await import('pino-roll');
  const stream = await pinoRoll({
    file: path.join(parsed.dir, parsed.name),
    extension: parsed.ext || '.log',
    frequency: 'daily',
    dateFormat: 'yyyy-MM-dd',
    mkdir: true,
    // Every line on disk before the call returns: nothing lost when the process is killed.
    sync: true,
    // Counts every file of this log in the folder (also those left by earlier runs), today's included.
    limit: { count: options.retentionDays + 1, removeOtherLogFiles: true },
  });
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      }),
  };
}

/** stdout plus, when configured, the rotated file. */
export async function openLogDestination(level: LogLevel, file: LogFileOptions | undefined): Promise<LogDestination> {
  const stdout = pino.destination({ dest: 1, sync: true });
  if (!file) return { stream: stdout, close: async () => undefined };
  const rolled = await openLogFile(file);
  const streams: StreamEntry[] = [
    { level: level === 'silent' ? 'fatal' : level, stream: stdout },
    { level: level === 'silent' ? 'fatal' : level, stream: rolled.stream },
  ];
  return { stream: pino.multistream(streams), close: rolled.close };
}
