// The browser side of src/desk/api.ts: typed fetches, the session check and the live-update stream.
import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { DESK_API, DESK_BASE, DESK_HEADER, DESK_HEADER_VALUE, type ApiError, type CampaignList, type DeskEvent, type Me } from '../../api.ts';

export const session = reactive<{ me: Me | null; checked: boolean; year: number | undefined; campaigns: CampaignList; live: boolean }>({
  me: null,
  checked: false,
  year: undefined,
  campaigns: [],
  live: false,
});

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }
}

function withYear(path: string, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  const all: Record<string, string | number | undefined> = { year: session.year, ...extra };
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '') params.set(k, String(v));
  const q = params.toString();
  return `${DESK_API}${path}${q ? `?${q}` : ''}`;
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text || `服务器错误（${res.status}）` };
  }
  if (!res.ok) {
    const err = (body && typeof body === 'object' && 'error' in body ? body : { error: `服务器错误（${res.status}）` }) as ApiError;
    if (res.status === 401) session.me = null;
    throw new HttpError(res.status, err);
  }
  return body as T;
}

/** GET /desk/api/<path>?year=<selected year>&… */
export async function get<T>(path: string, extra?: Record<string, string | number | undefined>): Promise<T> {
  return parse<T>(await fetch(withYear(path, extra), { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
}

/** POST/PUT JSON with the CSRF header the server requires. */
export async function send<T>(method: 'POST' | 'PUT', path: string, body: unknown, extra?: Record<string, string | number | undefined>): Promise<T> {
  const res = await fetch(withYear(path, extra), {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', [DESK_HEADER]: DESK_HEADER_VALUE },
    body: JSON.stringify(body ?? {}),
  });
  return parse<T>(res);
}

/** POST raw bytes (unit import). */
export async function upload<T>(path: string, file: Blob, extra?: Record<string, string | number | undefined>): Promise<T> {
  const res = await fetch(withYear(path, extra), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json', [DESK_HEADER]: DESK_HEADER_VALUE },
    body: file,
  });
  return parse<T>(res);
}

/** Shows the server's Chinese message (or a generic one) and keeps the page as it was. */
export function showError(error: unknown): void {
  if (error instanceof HttpError && error.status === 401) return;
  const message = error instanceof HttpError ? error.body.error : '网络错误，请稍后重试';
  ElMessage.error({ message, grouping: true });
}

export function loginUrl(): string {
  const here = location.pathname.startsWith(DESK_BASE) ? location.pathname + location.search : `${DESK_BASE}/`;
  return `${DESK_BASE}/login?next=${encodeURIComponent(here)}`;
}

export async function loadSession(): Promise<void> {
  try {
    session.me = await get<Me>('/me');
    session.campaigns = await get<CampaignList>('/campaigns');
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 401)) showError(error);
    session.me = null;
  } finally {
    session.checked = true;
  }
}

export async function logout(): Promise<void> {
  await fetch(`${DESK_BASE}/logout`, { method: 'POST', credentials: 'same-origin', headers: { [DESK_HEADER]: DESK_HEADER_VALUE } }).catch(() => undefined);
  session.me = null;
  location.href = `${DESK_BASE}/`;
}

type Listener = (event: DeskEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

/** One EventSource for the whole console; pages subscribe with `onDeskEvent`. */
export function startEvents(): void {
  if (source) return;
  source = new EventSource(`${DESK_API}/events`, { withCredentials: true });
  source.onopen = () => (session.live = true);
  source.onerror = () => (session.live = false);
  source.onmessage = (message: MessageEvent<string>) => {
    let event: DeskEvent;
    try {
      event = JSON.parse(message.data) as DeskEvent;
    } catch {
      return;
    }
    session.live = true;
    if (event.type === 'hello') return;
    for (const l of listeners) l(event);
  };
}

export function onDeskEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // Times are shown in Asia/Shanghai whatever the browser's zone.
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

/** The file name in a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function dispositionName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  return plain?.[1]?.trim() || fallback;
}

/**
 * Downloads a file the server builds (Word, CSV) under the server's Chinese file name. Fetched first so
 * a refusal or an error shows as a message instead of a downloaded error page, then saved through a
 * link with `download` set (browsers do not all take a non-ASCII name from the header alone).
 */
export async function downloadFile(url: string, fallbackName: string): Promise<boolean> {
  try {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) await parse<never>(res);
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = dispositionName(res.headers.get('Content-Disposition'), fallbackName);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    return true;
  } catch (error) {
    showError(error);
    return false;
  }
}
