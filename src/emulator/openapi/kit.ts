// Shared pieces of the emulated Open API: Feishu's error envelope, the route registrar every resource file uses,
// auth and paging helpers. The router itself (faults, auth, rate limits around every call) is in ../openapi.ts.
import type { Request, Response } from 'express';
import { cardErrorMsg } from '../card-schema.ts';
import type { EmulatorCore } from '../core.ts';
import { newLogId } from '../ids.ts';
import { partsOf, type MultipartPart } from '../multipart.ts';
import type { ApiCallRecord } from '../types.ts';

/**
 * im/v1/messages: the request body may be at most 30 KB for a card (interactive) or post message and 150 KB
 * for text, else 230025 — https://open.feishu.cn/document/server-docs/im-v1/message/create . The body, not
 * the card: `content` is the card JSON stringified inside the JSON body, so its quotes count twice.
 */
export const CARD_MAX_BYTES = 30 * 1024;

export type Handler = (req: Request, res: Response) => void | Promise<void>;

export type ApiMethod = 'get' | 'post' | 'patch' | 'delete';

/** Registers one Open API route inside the common wrapper (call log, faults, auth, app-level rate limit, error envelopes). */
export type RegisterApi = (method: ApiMethod, pattern: string, handler: Handler, opts?: { auth?: boolean; multipart?: boolean }) => void;

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
  }
}

export const invalidParam = (ext: string): ApiError => new ApiError(400, 230001, `Your request contains an invalid request parameter, ext=${ext}`);
export const fieldValidation = (field: string, description: string): ApiError => new ApiError(400, 99992402, `field validation failed: ${field} ${description}`);
export const botNotInChat = (): ApiError => new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.');
export const rateLimited = (): ApiError => new ApiError(400, 230020, 'This operation triggers the frequency limit.');
export const tooLong = (): ApiError => new ApiError(400, 230025, 'The length of the message content reaches its limit.');
export const cardInvalid = (subCode: number, message: string): ApiError => new ApiError(400, 230099, cardErrorMsg(subCode, message));

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function errorBody(code: number, msg: string): Record<string, unknown> {
  const logId = newLogId();
  return { code, msg, error: { log_id: logId, troubleshooter: `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id=${logId}&code=${code}&method_id=0` } };
}

export function ok(res: Response, data: unknown): void {
  res.status(200).json({ code: 0, msg: 'success', data });
}

export function record(res: Response, status: number, code: number): void {
  // For non-JSON answers (downloads) the json hook does not run; fill the log entry directly.
  const rec = res.locals.emuRecord as ApiCallRecord | undefined;
  if (rec) {
    rec.status = status;
    rec.code = code;
  }
}

export function checkAuth(core: EmulatorCore, req: Request): void {
  const header = req.get('authorization');
  if (!header) throw new ApiError(400, 99991661, 'Missing access token for authorization. Please make a request with token attached.');
  const m = /^Bearer (.+)$/.exec(header);
  const token = m?.[1];
  const expiresAt = token ? core.validTokens.get(token) : undefined;
  if (!token || expiresAt === undefined || expiresAt <= Date.now()) {
    throw new ApiError(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.');
  }
}

/** Bytes of the request body as it arrived (see the json parser's verify hook). */
export function requestBytes(req: Request): number {
  return (req as Request & { bodyBytes?: number }).bodyBytes ?? Buffer.byteLength(JSON.stringify(req.body ?? {}));
}

export function clamp(n: number, min: number, max: number): number {
  if (!Number.isFinite(n)) return min;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

export function encodePageToken(offset: number): string {
  return Buffer.from(`off:${offset}`).toString('base64url');
}

export function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const m = /^off:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m?.[1]) throw fieldValidation('page_token', 'is invalid');
  return Number(m[1]);
}

export function multipartOf(req: Request): MultipartPart[] {
  const parts = partsOf(req);
  if (!parts) throw fieldValidation('body', 'must be multipart/form-data');
  return parts;
}

export function summariseMultipart(req: Request): unknown {
  try {
    const parts = multipartOf(req);
    return Object.fromEntries(parts.map((p) => [p.name, p.filename !== undefined ? { filename: p.filename, size: p.data.length } : p.data.toString('utf8')]));
  } catch {
    return undefined;
  }
}
