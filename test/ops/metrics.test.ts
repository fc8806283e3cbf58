// /metrics after a real fan-out: outbox depth and age while the notices wait, sends by result
// (one injected 429 and one 500 on the way), intake and card-callback latency, reminders planned
// / sent / skipped, dead letters and the database pool; and who may read it.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { createHttpApp } from '../../src/adapters/http/app.ts';
import type { AppServices } from '../../src/app/bot.ts';
import { FAN_OUT_START, launchCampaignFanOut, parseMetrics } from '../support/fan-out.ts';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe.each(PROVIDERS_UNDER_TEST)('/metrics after a fan-out (%s)', (provider) => {
  let h: Harness;
  const clock = new FakeClock(FAN_OUT_START);

  beforeAll(async () => {
    h = await startHarness({ provider, clock });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows each figure', async () => {
    const chats = await launchCampaignFanOut({ emulator: h.emulator, db: h.db, settle: () => h.drainOutbox() });
    expect(chats.length).toBeGreaterThan(10);
    clock.advance(45_000);
    const waiting = parseMetrics((await scrape(h.url)).text);
    expect(waiting.get('themeday_outbox_depth{status="pending"}')).toBeGreaterThanOrEqual(chats.length);
    expect(waiting.get('themeday_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(45);

    h.emulator.faults.route('/open-apis/im/v1/messages', { rateLimit429: 1, resetSeconds: 1, times: 1 }, 'POST');
    // Each matching rule spends a use per call: the 500 lands on the second call.
    h.emulator.faults.route('/open-apis/im/v1/messages', { error5xx: 1, times: 2 }, 'POST');
    await h.drainOutbox();
    for (const chat of chats) expect(h.messages(chat).length, chat).toBeGreaterThan(0);

    // The day before the deadline: reminders go to every unit that has not submitted.
    clock.set('2023-04-06T01:31:00Z');
    await h.tick();
    await h.drainOutbox();

    const res = await scrape(h.url);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const m = parseMetrics(res.text);
    const sent = await h.db.outboxMessage.count({ where: { status: 'sent' } });
    expect(m.get('themeday_outbox_sends_total{result="ok"}')).toBe(sent);
    expect(m.get('themeday_outbox_sends_total{result="rate_limited"}')).toBe(1);
    expect(m.get('themeday_outbox_sends_total{result="transient"}')).toBe(1);
    expect(m.get('themeday_outbox_sends_total{result="permanent"}')).toBe(0);
    expect(m.get('themeday_outbox_sends_total{result="dead"}')).toBe(0);
    expect(m.get('themeday_outbox_depth{status="pending"}')).toBe(0);
    expect(m.get('themeday_outbox_depth{status="sending"}')).toBe(0);
    expect(m.get('themeday_outbox_oldest_age_seconds')).toBe(0);
    expect(m.get('themeday_outbox_dead_letters{status="dead"}')).toBe(0);
    expect(m.get('themeday_outbox_dead_letters{status="failed"}')).toBe(0);
    // The 发起申报 message and the launch click went through intake.
    expect(m.get('themeday_event_intake_seconds_count{kind="message"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('themeday_event_intake_seconds_count{kind="card_action"}')).toBe(1);
    expect(m.get('themeday_card_callback_seconds_count')).toBe(1);
    expect(m.get('themeday_card_callback_seconds_bucket{le="3"}')).toBe(1);
    expect(m.get('themeday_card_callback_budget_seconds')).toBe(3);
    expect(m.get('themeday_card_callback_over_budget_total')).toBe(0);

    const today = await h.db.reminderLog.groupBy({ by: ['status'], where: { date: '2023-04-06', key: { not: { contains: '#' } } }, _count: { _all: true } });
    const sentToday = today.find((r) => r.status === 'sent')?._count._all ?? 0;
    expect(sentToday).toBeGreaterThan(0);
    expect(m.get('themeday_reminders_today{status="sent"}')).toBe(sentToday);
    expect(m.get('themeday_reminders_today{status="skipped"}')).toBe(today.find((r) => r.status === 'skipped')?._count._all ?? 0);
    expect(m.get('themeday_reminders_today{status="planned"}')).toBeGreaterThanOrEqual(sentToday);
    expect(m.get('themeday_reminders_logged{status="sent"}')).toBe(await h.db.reminderLog.count({ where: { status: 'sent' } }));

    expect(m.get('themeday_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('themeday_db_pool_connections{state="max"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('themeday_db_pool_connections{state="waiting"}')).toBe(0);
    expect(m.get('themeday_prisma_plan_cache_requests{result="hit"}')).toBeGreaterThan(0);
    // the statements the app's client sent up to the scrape (the launch, the reminders, the scrape's own reads)
    const statements = m.get('themeday_db_statements')!;
    expect(statements).toBeGreaterThan(100);
    expect(statements).toBeLessThanOrEqual(h.app.database.statements!());
    expect(m.has('themeday_process_process_cpu_seconds_total')).toBe(true);

    // The Grafana dashboard in docs/ops asks only for series this endpoint serves.
    const served = new Set([...m.keys()].map((k) => k.replace(/\{.*$/, '')));
    const asked = new Set(readFileSync('docs/ops/grafana-dashboard.json', 'utf8').match(/themeday_[a-z0-9_]+/g) ?? []);
    expect([...asked].filter((name) => !served.has(name))).toEqual([]);
  }, 120_000);
});

describe('/metrics protection', () => {
  const servers: http.Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });
  async function serve(token: string | undefined): Promise<string> {
    const app = createHttpApp({
      services: {} as AppServices,
      ping: async () => undefined,
      metrics: { text: async () => 'themeday_up 1\n', contentType: 'text/plain; version=0.0.4', token },
    });
    const server = http.createServer(app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('without a token: loopback callers only (a caller behind a local proxy is not loopback)', async () => {
    const url = await serve(undefined);
    expect((await scrape(url)).status).toBe(200);
    expect((await scrape(url, { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(403);
  });

  it('with METRICS_TOKEN: the bearer token, from anywhere', async () => {
    const url = await serve('s3cret-metrics-token-0123');
    expect((await scrape(url)).status).toBe(403);
    expect((await scrape(url, { Authorization: 'Bearer wrong' })).status).toBe(403);
    const ok = await scrape(url, { Authorization: 'Bearer s3cret-metrics-token-0123', 'X-Forwarded-For': '203.0.113.7' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('themeday_up 1');
  });
});
