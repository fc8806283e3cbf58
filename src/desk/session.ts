// The desk's session: a signed, expiring cookie (HMAC-SHA256), HttpOnly, SameSite=Lax. No server
// state: any instance with the same secret reads it. Roles are re-checked on every request, so a
// coordinator removed from the office loses access at once, cookie or not.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SESSION_COOKIE = 'desk_session';
export const STATE_COOKIE = 'desk_state';
export const SESSION_TTL_MS = 8 * 60 * 60_000;

const payloadSchema = z.object({ sub: z.string().min(1), name: z.string(), exp: z.number().int(), kind: z.string() });
export type SignedPayload = z.infer<typeof payloadSchema>;

export class SessionSigner {
  constructor(private readonly secret: Buffer) {}

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  sign(payload: SignedPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload when the signature holds, the kind matches and it has not expired at `now`. */
  verify(value: string | undefined, kind: string, now: Date): SignedPayload | null {
    if (!value) return null;
    const [body, sig] = value.split('.');
    if (!body || !sig) return null;
    const want = Buffer.from(this.mac(body));
    const given = Buffer.from(sig);
    if (want.length !== given.length || !timingSafeEqual(want, given)) return null;
    try {
      const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      if (!parsed.success || parsed.data.kind !== kind || parsed.data.exp <= now.getTime()) return null;
      return parsed.data;
    } catch {
      return null;
    }
  }
}

/** Derives the signing key from the app secret, so every instance of one deployment agrees. */
export function sessionSecret(appSecret: string, extra = ''): Buffer {
  return createHmac('sha256', `desk-session:${extra}`).update(appSecret).digest();
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function cookie(name: string, value: string, o: { maxAgeMs: number; secure: boolean; path?: string }): string {
  return [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/desk'}`, `Max-Age=${Math.max(0, Math.floor(o.maxAgeMs / 1000))}`, 'HttpOnly', 'SameSite=Lax', ...(o.secure ? ['Secure'] : [])].join('; ');
}
