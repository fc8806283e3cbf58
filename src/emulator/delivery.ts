// Pushes events and card callbacks to the bot the way Feishu does: v2 envelope, optional encryption,
// signature headers, 3 s ack budget, re-delivery with the same event_id on failure.
import { encryptPayload, signPayload } from './crypto.ts';
import { newNonce } from './ids.ts';
import type { DeliveryRecord } from './types.ts';

export interface PushConfig {
  encryptKey?: string;
  ackTimeoutMs: number;
}

export interface AttemptOutcome {
  ok: boolean;
  httpStatus?: number;
  ms: number;
  error?: string;
  /** 'timeout' | 'connect' | 'http' | undefined (ok) */
  failure?: 'timeout' | 'connect' | 'http';
  bodyText?: string;
}

/** Serialise (and encrypt) an envelope and build Feishu's push headers. */
export function buildPush(envelope: Record<string, unknown>, encryptKey: string | undefined, nowMs: number): { raw: string; headers: Record<string, string> } {
  const plain = JSON.stringify(envelope);
  const raw = encryptKey ? JSON.stringify({ encrypt: encryptPayload(plain, encryptKey) }) : plain;
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = newNonce();
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Feishu-Emulator/1.0',
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
  };
  if (encryptKey) headers['x-lark-signature'] = signPayload(timestamp, nonce, encryptKey, raw);
  return { raw, headers };
}

export async function attemptPush(url: string, envelope: Record<string, unknown>, config: PushConfig, nowMs: number, unreachable: boolean): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  if (unreachable) return { ok: false, ms: 0, error: 'connect ECONNREFUSED (fault: bot unreachable)', failure: 'connect' };
  const { raw, headers } = buildPush(envelope, config.encryptKey, nowMs);
  try {
    const res = await fetch(url, { method: 'POST', body: raw, headers, signal: AbortSignal.timeout(config.ackTimeoutMs) });
    const bodyText = await res.text();
    const ms = elapsed();
    if (ms > config.ackTimeoutMs) return { ok: false, httpStatus: res.status, ms, error: `answered after ${ms} ms`, failure: 'timeout' };
    if (res.status !== 200) return { ok: false, httpStatus: res.status, ms, error: `HTTP ${res.status}`, failure: 'http', bodyText };
    return { ok: true, httpStatus: 200, ms, bodyText };
  } catch (error) {
    const ms = elapsed();
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, ms, error: `no answer within ${config.ackTimeoutMs} ms`, failure: 'timeout' };
    return { ok: false, ms, error: e.cause?.code ?? e.message, failure: 'connect' };
  }
}

export function toRecord(envelope: Record<string, unknown>, kind: 'event' | 'callback', attempt: number, duplicate: boolean, at: Date, outcome: AttemptOutcome): DeliveryRecord {
  const header = envelope.header as { event_id: string; event_type: string };
  const rec: DeliveryRecord = { eventId: header.event_id, eventType: header.event_type, kind, attempt, duplicate, at, ms: outcome.ms, ok: outcome.ok, payload: envelope };
  if (outcome.httpStatus !== undefined) rec.httpStatus = outcome.httpStatus;
  if (outcome.error !== undefined) rec.error = outcome.error;
  return rec;
}
