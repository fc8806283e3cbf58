// A generated file becomes downloadable from the card that produced it: one ExportFile row (the id
// is all the link names) and a signed link valid for DOWNLOAD_LINK_DAYS.
import type { UseCaseContext } from '../../app/bot.ts';
import { downloadUrl } from '../../app/download-links.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import type { DownloadLink } from '../../../cards/download.ts';

/** The base of links people open: PUBLIC_BASE_URL, else (local mode) the app's own address. */
export function publicBaseUrl(ctx: Pick<UseCaseContext, 'services' | 'config'>): string | undefined {
  return ctx.config.publicBaseUrl ?? ctx.services.publicBaseUrl;
}

/**
 * Registers a stored file for download and returns its link, or undefined when the server has no
 * address people can reach (production without PUBLIC_BASE_URL: the file message still arrives).
 */
export async function downloadLinkFor(ctx: UseCaseContext, p: { storedPath: string; fileName: string; label: string }): Promise<DownloadLink | undefined> {
  const base = publicBaseUrl(ctx);
  if (!base) return undefined;
  const expiresAt = new Date(ctx.now.getTime() + ctx.config.downloadLinkDays * 86_400_000);
  const row = await ctx.tx.exportFile.create({ data: { storedPath: p.storedPath, fileName: p.fileName, createdBy: ctx.actor, createdAt: ctx.now, expiresAt } });
  await ctx.audit({ action: 'export.link', entity: 'ExportFile', entityId: row.id, after: { fileName: p.fileName, expiresAt: expiresAt.toISOString() } });
  return { fileName: p.fileName, label: p.label, url: downloadUrl(base, ctx.config.downloadLinkSecret, row.id, expiresAt), expiresText: shanghaiDateTime(expiresAt) };
}
