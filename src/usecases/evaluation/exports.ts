// Exports: the 评选汇总表 XLSX and the evidence package (one folder per held activity: 活动总结.html
// plus its photos; as a ZIP for the chat, or as a folder tree for the CLI). Built outside any
// transaction (reads only), then sent through the outbox as a 'file' operation.
import type { Db, Tx } from '../../adapters/db/database.ts';
import type { AppServices } from '../../app/bot.ts';
import type { FileStorage } from '../../ports/storage.ts';
import { withContext } from '../../app/context.ts';
import { parseEvidenceCheck } from '../../domain/evidence.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import type { EvaluationSheetData, ExportWriter, ZipEntry } from '../../ports/files.ts';
import { summaryRowSelect, valuesOf } from '../summaries/summary.ts';
import { computeResults, ensureCriteria, heldActivities, type EvaluationResults } from './results.ts';
import { progressOf } from './evaluation.ts';
import { evaluationProgressCard } from '../../../cards/evaluation.ts';
import { downloadLinkFor } from '../exports/links.ts';
import { withDownloads } from '../../../cards/download.ts';

type Reader = Db | Tx;
type Campaign = { id: string; year: number; title: string };

export function evaluationSheetData(r: EvaluationResults, now: Date): EvaluationSheetData {
  const winners = new Set(r.evaluation?.winners ?? []);
  return {
    title: `长沙县${r.campaign.year}年“最佳政务公开主题日活动”评选汇总表`,
    criteria: r.criteria,
    judges: r.judges,
    generatedAt: shanghaiDateTime(now),
    rows: r.results.map((x) => ({
      rank: x.ranked.rank,
      tied: x.ranked.tied,
      unitName: x.activity.unitName,
      title: x.activity.title,
      month: x.activity.month,
      totals: Object.fromEntries(r.judges.map((j) => [j.openId, x.conflicts.has(j.openId) ? ('conflict' as const) : x.sheets.get(j.openId)?.total])),
      scores: Object.fromEntries([...x.sheets.entries()].map(([k, v]) => [k, v.scores])),
      comments: Object.fromEntries([...x.sheets.entries()].filter(([, v]) => v.comment).map(([k, v]) => [k, v.comment!])),
      count: x.aggregate.totals.length,
      droppedHigh: x.aggregate.dropped.high,
      droppedLow: x.aggregate.dropped.low,
      final: x.aggregate.final,
      winner: winners.has(x.activity.themeId),
    })),
  };
}

export async function buildEvaluationXlsx(db: Reader, files: ExportWriter, campaign: Campaign, now: Date): Promise<Buffer> {
  const r = await computeResults(db as Tx, campaign);
  if (r.criteria.length === 0) r.criteria = await ensureCriteria(db as Tx, campaign.id);
  return files.evaluationWorkbook(evaluationSheetData(r, now));
}

function safeName(s: string, max = 40): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- control characters are what a file name must not hold
      .replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, max) || '未命名'
  );
}

/** Files of the evidence package, as relative paths and bytes. */
export async function evidenceEntries(db: Reader, storage: FileStorage, files: ExportWriter, campaign: Campaign): Promise<ZipEntry[]> {
  const activities = await heldActivities(db as Tx, campaign.id);
  const evaluation = await (db as Tx).evaluation.findUnique({ where: { campaignId: campaign.id } });
  const winners: string[] = evaluation ? (JSON.parse(evaluation.winners) as string[]) : [];
  const entries: ZipEntry[] = [];
  const index: { href: string; unitName: string; title: string; month: number; photos: number; award?: string }[] = [];
  let n = 0;
  for (const a of activities) {
    n++;
    const s = await (db as Tx).summary.findUnique({
      where: { themeId: a.themeId },
      select: {
        ...summaryRowSelect,
        attachments: { where: { deletedAt: null }, orderBy: { createdAt: 'asc' } },
      },
    });
    if (!s) continue;
    const folder = `${String(n).padStart(2, '0')}-${safeName(a.unitName, 20)}-${safeName(a.title, 30)}`;
    const photos: { href: string; fileName: string; takenOn: string | null; isLogo: boolean }[] = [];
    let p = 0;
    for (const att of s.attachments) {
      try {
        await storage.get(att.storagePath);
      } catch {
        continue; // a missing file is listed in the document's issues below
      }
      // Loaded again only when the archive reaches it: one photo in memory at a time.
      const data = () => storage.get(att.storagePath);
      p++;
      const ext = att.storagePath.split('.').pop() ?? 'jpg';
      const name = `照片/${String(p).padStart(2, '0')}${att.kind === 'logo_photo' ? '-LOGO' : ''}.${ext}`;
      entries.push({ name: `${folder}/${name}`, data, store: true });
      photos.push({ href: name, fileName: att.fileName, takenOn: att.takenOn, isLogo: att.kind === 'logo_photo' });
    }
    const award = winners.includes(a.themeId) ? '最佳政务公开主题日活动' : undefined;
    const issues = (parseEvidenceCheck(s.evidenceCheck)?.issues ?? []).filter((i) => i.level === 'warn').map((i) => i.message);
    if (photos.length < s.attachments.length) issues.push(`${s.attachments.length - photos.length} 张照片文件缺失`);
    const html = files.evidenceDocument({
      year: campaign.year,
      unitName: a.unitName,
      title: a.title,
      month: a.month,
      intro: a.intro,
      values: valuesOf(s),
      submittedAt: s.submittedAt ? shanghaiDateTime(s.submittedAt) : undefined,
      photos,
      issues,
      award,
    });
    entries.push({ name: `${folder}/活动总结.html`, data: Buffer.from(html, 'utf8') });
    index.push({ href: `${folder}/活动总结.html`, unitName: a.unitName, title: a.title, month: a.month, photos: photos.length, award });
  }
  entries.unshift({ name: '目录.html', data: Buffer.from(files.evidenceIndex(campaign.year, index), 'utf8') });
  return entries;
}

export async function buildEvidenceZip(db: Reader, storage: FileStorage, files: ExportWriter, campaign: Campaign, now: Date): Promise<Buffer> {
  return files.zip(await evidenceEntries(db, storage, files, campaign), now);
}

export type ExportKind = 'xlsx' | 'evidence';

/** After commit: build the file, store it, and send it to the chat through the outbox. */
export async function exportToChat(services: AppServices, campaign: Campaign, kind: ExportKind, chatId: string, actor: string, requestId: string, messageId?: string): Promise<void> {
  try {
    await buildAndSend(services, campaign, kind, chatId, actor, requestId, messageId);
  } catch (error) {
    services.log.error('export failed', { kind, campaignId: campaign.id, error });
    // The coordinator was told "正在生成…": say it failed instead of staying silent.
    await withContext(services, actor, async (ctx) => {
      await ctx.enqueue(`evaluation.export_failed:${kind}:${requestId}`, { op: 'send', to: { chatId }, text: `${kind === 'xlsx' ? '评选汇总表' : '证据包'}生成失败，请稍后重试；如仍失败请联系管理员查看日志。` });
    });
  }
}

/** `messageId`: the 评选进度 card whose button asked; it is redrawn with a 下载 link to the file. */
async function buildAndSend(services: AppServices, campaign: Campaign, kind: ExportKind, chatId: string, actor: string, requestId: string, messageId?: string): Promise<void> {
  const now = services.clock.now();
  const stamp = shanghaiDateTime(now).replace(/[-: ]/g, '').slice(0, 12);
  const fileName = kind === 'xlsx' ? `${campaign.year}年最佳政务公开主题日活动评选汇总表-${stamp}.xlsx` : `${campaign.year}年政务公开主题日活动证据包-${stamp}.zip`;
  const data = kind === 'xlsx' ? await buildEvaluationXlsx(services.db, services.files, campaign, now) : await buildEvidenceZip(services.db, services.storage, services.files, campaign, now);
  const storedPath = await services.storage.put(`exports/${campaign.year}/${kind}-${stamp}-${requestId.replace(/[^A-Za-z0-9_-]/g, '').slice(-12)}.${kind === 'xlsx' ? 'xlsx' : 'zip'}`, data);
  await withContext(
    services,
    actor,
    async (ctx) => {
      await ctx.enqueue(`evaluation.export:${kind}:${requestId}`, { op: 'file', to: { chatId }, fileName, fileType: kind === 'xlsx' ? 'xls' : 'stream', storedPath });
      const link = messageId ? await downloadLinkFor(ctx, { storedPath, fileName, label: kind === 'xlsx' ? '评选汇总表' : '证据包' }) : undefined;
      if (messageId && link)
        await ctx.enqueue(`evaluation.export_link:${kind}:${requestId}`, {
          op: 'patch',
          messageId,
          card: withDownloads(evaluationProgressCard(await progressOf(ctx, await ctx.tx.campaign.findUniqueOrThrow({ where: { id: campaign.id } }))), [link]),
        });
      await ctx.audit({ action: `evaluation.export_${kind}`, entity: 'Campaign', entityId: campaign.id, after: { fileName, bytes: data.length } });
    },
    { eventId: `export:${requestId}` },
  );
}
