// GET /downloads/:id?e=&s= — a generated file through its signed, expiring link (src/app/download-links.ts).
// Every download and every refused link is audited. People open these in a browser, so refusals are a
// short Chinese page, not JSON.
import path from 'node:path';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { checkDownload } from '../../app/download-links.ts';
import { escapeHtml, sendHtmlPage } from './html-page.ts';

const fileId = z.string().regex(/^[a-z0-9]{10,40}$/);

const TYPES: Record<string, string> = {
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.csv': 'text/csv; charset=utf-8',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
};

function page(res: Response, status: number, title: string, text: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  sendHtmlPage(res, status, { title, body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` });
}

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function downloadHandler(getServices: () => AppServices) {
  return async (req: Request, res: Response): Promise<void> => {
    const services = getServices();
    const now = services.clock.now();
    const parsed = fileId.safeParse(req.params.id);
    const id = parsed.success ? parsed.data : '';
    const check = parsed.success ? checkDownload(services.config.downloadLinkSecret, id, req.query.e, req.query.s, now) : 'tampered';
    const refuse = async (status: number, reason: string, title: string, text: string) => {
      await withContext(services, 'download-link', (ctx) => ctx.audit({ action: 'export.download', entity: 'ExportFile', entityId: id || null, decision: 'deny', reason, after: { ip: req.ip ?? null } }), { now });
      page(res, status, title, text);
    };
    if (check === 'tampered') return refuse(403, 'bad signature', '下载链接无效', '这个下载链接不完整或已被改动。请回到飞书里生成文件的卡片，重新点击“下载”。');
    if (check === 'expired') return refuse(410, 'expired', '下载链接已过期', '为保护单位联系人等信息，下载链接只在生成后的一段时间内有效。请在飞书里重新导出。');
    const row = await services.db.exportFile.findUnique({ where: { id } });
    const bytes = row ? await services.storage.get(row.storedPath).catch(() => undefined) : undefined;
    if (!row || !bytes) return refuse(404, row ? 'file missing' : 'unknown id', '文件不存在', '这个文件已被清理。请在飞书里重新导出。');
    await withContext(services, 'download-link', (ctx) => ctx.audit({ action: 'export.download', entity: 'ExportFile', entityId: id, after: { fileName: row.fileName, createdBy: row.createdBy, bytes: bytes.length, ip: req.ip ?? null } }), {
      now,
    });
    res.setHeader('Content-Type', TYPES[path.extname(row.fileName).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Disposition', attachment(row.fileName));
    res.setHeader('Content-Length', String(bytes.length));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.send(bytes);
  };
}
