// Server-side desk test helpers: a cookie-keeping client that signs in through the emulator's
// Feishu authorization page (the same redirects a browser follows), and a .docx reader.
import yauzl from 'yauzl';
import { DESK_HEADER, DESK_HEADER_VALUE } from '../../src/desk/api.ts';

export class DeskClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit & { desk?: boolean } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && url.startsWith(this.base)) headers.set('cookie', this.cookieHeader());
    if (init.desk !== false && init.method && init.method !== 'GET') headers.set(DESK_HEADER, DESK_HEADER_VALUE);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    if (url.startsWith(this.base)) this.keep(res);
    return res;
  }

  async json<T>(path: string, init: RequestInit & { desk?: boolean } = {}): Promise<{ status: number; body: T }> {
    const res = await this.fetch(path, init);
    return { status: res.status, body: (await res.json()) as T };
  }

  post<T>(path: string, body: unknown, o: { desk?: boolean } = {}): Promise<{ status: number; body: T }> {
    return this.json<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, ...o });
  }

  /**
   * /desk/login → the emulator's authorization page → pick the persona (form POST) → the callback.
   * Returns the callback's response (302 into the desk, or the refusal page) and the code used.
   */
  async signIn(openId: string): Promise<{ callback: Response; code: string; authorizePage: string }> {
    const login = await this.fetch('/desk/login?next=/desk/');
    if (login.status !== 302) throw new Error(`login answered ${login.status}`);
    const authorizeUrl = login.headers.get('location')!;
    const page = await this.fetch(authorizeUrl);
    const authorizePage = await page.text();
    const u = new URL(authorizeUrl);
    const form = new URLSearchParams({ client_id: u.searchParams.get('client_id') ?? '', redirect_uri: u.searchParams.get('redirect_uri') ?? '', state: u.searchParams.get('state') ?? '', open_id: openId });
    const picked = await this.fetch(`${u.origin}/open-apis/authen/v1/authorize`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }, desk: false });
    if (picked.status !== 302) throw new Error(`authorize answered ${picked.status}: ${await picked.text()}`);
    const back = picked.headers.get('location')!;
    const code = new URL(back).searchParams.get('code') ?? '';
    const callback = await this.fetch(back);
    return { callback, code, authorizePage };
  }
}

export function unzipEntry(buffer: Buffer, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => reject(new Error(`${name} not in the zip`)));
      zip.readEntry();
    });
  });
}

/** XML text as written: the five predefined entities decoded. */
export const decodeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Each table of word/document.xml: rows of cell text, and whether its first row repeats as a header. */
export function docxTables(xml: string): { rows: string[][]; headerRepeated: boolean }[] {
  return (xml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g) ?? []).map((tbl) => {
    const trs = tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/g) ?? [];
    return {
      rows: trs.map((tr) => (tr.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? []).map((tc) => (tc.match(/<w:t(?: [^>]*)?>[^<]*<\/w:t>/g) ?? []).map((t) => decodeXml(t.replace(/<[^>]+>/g, ''))).join(''))),
      headerRepeated: /<w:tblHeader(\s*\/>|\s+w:val="(true|1|on)"\s*\/>)/.test(trs[0] ?? ''),
    };
  });
}

/** All text of the body, paragraphs joined by newlines. */
export function docxText(xml: string): string {
  return (xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []).map((p) => (p.match(/<w:t(?: [^>]*)?>[^<]*<\/w:t>/g) ?? []).map((t) => decodeXml(t.replace(/<[^>]+>/g, ''))).join('')).join('\n');
}
