// The small self-contained HTML pages the server answers a browser with (sign-in refusals, expired
// download links, the emulator's login page) and the escaping every HTML we write goes through.
import type { Response } from 'express';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const BASE_STYLE = 'body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:560px;margin:60px auto;padding:0 16px;color:#1f2329}h1{font-size:20px}p{line-height:1.7}a{color:#3370ff}';

/** Sends a page: `title` is text (escaped), `body` is HTML the caller built (escape what it puts in). */
export function sendHtmlPage(res: Response, status: number, page: { title: string; body: string; style?: string }): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(page.title)}</title>` +
        // No icon to fetch: a browser asks for /favicon.ico otherwise (a 404 in its console and a warning in the log).
        `<link rel="icon" href="data:,">` +
        `<style>${BASE_STYLE}${page.style ?? ''}</style></head><body>${page.body}</body></html>`,
    );
}
