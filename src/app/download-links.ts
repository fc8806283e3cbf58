// Signed, expiring download links for generated files (exports). The link names only the file's id,
// its expiry (unix seconds) and an HMAC-SHA256 of both under DOWNLOAD_LINK_SECRET: nothing about the
// file's path or content, and nobody can stretch the expiry or point it at another file.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DOWNLOAD_PATH = '/downloads';

function signature(secret: string, id: string, expiresAtSec: number): string {
  return createHmac('sha256', secret).update(`${id}.${expiresAtSec}`).digest('base64url');
}

/** `<base>/downloads/<id>?e=<expiry>&s=<signature>` */
export function downloadUrl(baseUrl: string, secret: string, id: string, expiresAt: Date): string {
  const e = Math.floor(expiresAt.getTime() / 1000);
  return `${baseUrl.replace(/\/+$/, '')}${DOWNLOAD_PATH}/${encodeURIComponent(id)}?e=${e}&s=${signature(secret, id, e)}`;
}

export type DownloadCheck = 'ok' | 'tampered' | 'expired';

/** Signature first (a forged expiry is "tampered", not "expired"), then the expiry against `now`. */
export function checkDownload(secret: string, id: string, e: unknown, s: unknown, now: Date): DownloadCheck {
  if (typeof e !== 'string' || !/^\d{1,12}$/.test(e) || typeof s !== 'string' || s.length > 100) return 'tampered';
  const want = Buffer.from(signature(secret, id, Number(e)));
  const given = Buffer.from(s);
  if (want.length !== given.length || !timingSafeEqual(want, given)) return 'tampered';
  return Number(e) * 1000 > now.getTime() ? 'ok' : 'expired';
}
