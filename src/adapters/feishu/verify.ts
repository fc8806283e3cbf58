// Webhook authenticity, done on the raw bytes (the SDK hashes re-serialized JSON, compares with
// ===, has no freshness check and fails open without a key). Order: signature and timestamp on
// the raw body, then decrypt, then the verification token on the decrypted envelope.
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const TIMESTAMP_TOLERANCE_SECONDS = 300;

export interface VerifyOptions {
  encryptKey?: string;
  verificationToken?: string;
  /** wall-clock milliseconds (the replay window is about real time) */
  nowMs?: number;
  toleranceSeconds?: number;
}

export type VerifyResult = { ok: true; kind: 'challenge'; challenge: string } | { ok: true; kind: 'event'; body: Record<string, unknown> } | { ok: false; reason: string };

export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(rawBody)
    .digest('hex');
}

/** AES-256-CBC with key sha256(encryptKey), base64(iv ‖ ciphertext), as Feishu pushes it. */
export function decryptFeishu(encrypted: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const buf = Buffer.from(encrypted, 'base64');
  if (buf.length < 32 || (buf.length - 16) % 16 !== 0) throw new Error('bad ciphertext length');
  const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The verification token an envelope carries: `header.token` (v2) or `token` (v1, url_verification). */
function envelopeToken(body: Record<string, unknown>): string | undefined {
  const header = body.header;
  if (isObject(header) && typeof header.token === 'string') return header.token;
  return typeof body.token === 'string' ? body.token : undefined;
}

export function verifyFeishuRequest(rawBody: Buffer, headers: IncomingHttpHeaders, options: VerifyOptions): VerifyResult {
  const { encryptKey, verificationToken } = options;
  const timestamp = headerValue(headers, 'x-lark-request-timestamp');
  const nonce = headerValue(headers, 'x-lark-request-nonce');
  const signature = headerValue(headers, 'x-lark-signature');
  const signed = timestamp !== undefined && nonce !== undefined && signature !== undefined;

  if (encryptKey && signed) {
    const ts = Number(timestamp);
    const now = (options.nowMs ?? Date.now()) / 1000;
    if (!Number.isFinite(ts) || Math.abs(now - ts) > (options.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS)) {
      return { ok: false, reason: 'stale or invalid timestamp' };
    }
    const expected = feishuSignature(timestamp, nonce, encryptKey, rawBody);
    if (!safeEqual(signature.toLowerCase(), expected)) return { ok: false, reason: 'signature mismatch' };
  }

  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!isObject(body)) return { ok: false, reason: 'body is not an object' };

  if (typeof body.encrypt === 'string') {
    if (!encryptKey) return { ok: false, reason: 'encrypted body but no encrypt key configured' };
    try {
      body = JSON.parse(decryptFeishu(body.encrypt, encryptKey));
    } catch {
      return { ok: false, reason: 'cannot decrypt body' };
    }
    if (!isObject(body)) return { ok: false, reason: 'decrypted body is not an object' };
  }

  const token = envelopeToken(body);
  if (verificationToken !== undefined && (token === undefined || !safeEqual(token, verificationToken))) {
    return { ok: false, reason: 'verification token mismatch' };
  }

  if (body.type === 'url_verification') {
    // Never dispatched, whatever else it carries.
    if (typeof body.challenge !== 'string') return { ok: false, reason: 'url_verification without challenge' };
    if (verificationToken === undefined && !(encryptKey && signed)) return { ok: false, reason: 'cannot verify url_verification' };
    return { ok: true, kind: 'challenge', challenge: body.challenge };
  }

  // Anything that reaches a handler must be signed when we have a key; with neither a key nor a
  // token (local development only, config refuses it in production webhook mode) it is trusted.
  if (encryptKey && !signed) return { ok: false, reason: 'missing signature headers' };
  return { ok: true, kind: 'event', body };
}
