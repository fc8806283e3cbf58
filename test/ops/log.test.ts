// The pino logger: redaction configured once (secrets, tokens, phone numbers), request ids from
// the request log (src/adapters/http/request-log.ts), and the log file rotated daily with its retention (fake timers: no wall clock).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, openLogDestination, openLogFile } from '../../src/app/log.ts';
import { createHttpApp } from '../../src/adapters/http/app.ts';
import type { AppServices } from '../../src/app/bot.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger (pino)', () => {
  it('one JSON line per entry; secrets, tokens and phone numbers never reach it', () => {
    const out = capture();
    const log = createLogger('info', { destination: out.stream, base: { component: 'test' } });
    log.debug('hidden');
    log.info('directory imported', {
      unit: { name: '星沙街道', leaderPhone: '13812345678' },
      phone: '139-0000-1111',
      token: 't-abc',
      headers: { authorization: 'Bearer xyz' },
      config: { appSecret: 'shh', databaseUrl: 'postgresql://u:p@h/db' },
      error: new Error('联系人 13700001111 无效'),
    });
    log.child({ outboxId: 'o1' }).warn('retry', { attempt: 2 });
    const [a, b] = out.lines();
    expect(out.lines()).toHaveLength(2);
    expect(a).toMatchObject({ level: 'info', msg: 'directory imported', component: 'test', phone: '139****1111', token: '[已隐藏]' });
    expect(a!.unit).toEqual({ name: '星沙街道', leaderPhone: '138****5678' });
    expect(a!.headers).toEqual({ authorization: '[已隐藏]' });
    expect(a!.config).toEqual({ appSecret: '[已隐藏]', databaseUrl: '[已隐藏]' });
    expect((a!.error as { message: string }).message).toBe('联系人 137****1111 无效');
    expect(typeof a!.t).toBe('string');
    expect(b).toMatchObject({ level: 'warn', msg: 'retry', component: 'test', outboxId: 'o1', attempt: 2 });
    expect(JSON.stringify(out.lines())).not.toMatch(/13812345678|t-abc|shh|xyz|13700001111/);
  });

  it("gives every HTTP request an id (the caller's X-Request-Id when sent) on its log line and in the answer", async () => {
    const out = capture();
    const app = createHttpApp({ services: {} as AppServices, ping: async () => undefined, log: createLogger('info', { destination: out.stream }) });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const own = await fetch(`${url}/nowhere`, { headers: { 'X-Request-Id': 'lb-123', Authorization: 'Bearer secret-token' } });
      const fresh = await fetch(`${url}/nowhere`);
      expect(own.headers.get('x-request-id')).toBe('lb-123');
      const generated = fresh.headers.get('x-request-id')!;
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      const lines = out.lines();
      expect(lines.map((l) => (l.req as { id: string }).id)).toEqual(['lb-123', generated]);
      expect(lines[0]).toMatchObject({ level: 'warn', res: { statusCode: 404 } });
      expect(JSON.stringify(lines)).not.toContain('secret-token');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('log file: daily rotation and retention', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.useRealTimers();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("starts a new file each day and keeps today plus LOG_RETENTION_DAYS days, older runs' files included", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-logs-'));
    dirs.push(dir);
    // Files a previous run left: one far too old, one recent.
    writeFileSync(path.join(dir, 'themeday.2026-01-01.1.log'), 'old\n');
    writeFileSync(path.join(dir, 'themeday.2026-02-28.1.log'), 'recent\n');
    vi.useFakeTimers({ now: new Date(2026, 2, 1, 10, 0, 0), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const file = await openLogFile({ file: path.join(dir, 'themeday.log'), retentionDays: 2 });
    const log = createLogger('info', { destination: file.stream });
    const cleaned = () => new Promise<void>((r) => file.stream.once('cleanup-complete', () => r()));
    log.info('day 1');
    for (const day of [2, 3, 4]) {
      const done = cleaned();
      await vi.advanceTimersByTimeAsync(24 * 3600_000);
      await done;
      log.info(`day ${day}`);
    }
    await file.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['themeday.2026-03-02.1.log', 'themeday.2026-03-03.1.log', 'themeday.2026-03-04.1.log']);
    const lines = (f: string) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(lines('themeday.2026-03-02.1.log')).toEqual(['day 2']);
    expect(lines('themeday.2026-03-04.1.log')).toEqual(['day 4']);
  });

  it('the default destination without LOG_FILE is stdout only', async () => {
    const d = await openLogDestination('info', undefined);
    expect(d.stream).toBeDefined();
    await d.close();
  });
});
