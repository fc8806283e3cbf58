// Year over year: loads every launched campaign year (reads only) and hands plain rows to
// src/domain/history.ts. Used by `年度对比` (card) and `export history` (XLSX).
import type { Db, Tx } from '../../adapters/db/database.ts';
import type { AppServices } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { computeHistory, type History, type HistoryTheme, type Rank } from '../../domain/history.ts';
import { linkCount, storedDates, storedLinks } from '../../domain/summary.ts';
import { parseForms } from '../submissions/shared.ts';
import { downloadLinkFor } from '../exports/links.ts';
import { buildHistoryCard } from '../../../cards/history.ts';
import { computeResults } from '../evaluation/results.ts';

type Reader = Db | Tx;

export async function loadHistory(db: Reader): Promise<History> {
  const tx = db as Tx;
  const campaigns = await tx.campaign.findMany({ where: { status: { not: 'draft' } }, select: { id: true, year: true, title: true }, orderBy: { year: 'asc' } });
  const ids = campaigns.map((c) => c.id);
  const yearOf = new Map(campaigns.map((c) => [c.id, c.year]));
  const [units, submissions, themes] = await Promise.all([
    tx.unit.findMany({ select: { id: true, name: true, kind: true, sortOrder: true } }),
    tx.submission.findMany({ where: { campaignId: { in: ids } }, select: { campaignId: true, unitId: true, status: true, late: true } }),
    tx.theme.findMany({
      where: { state: 'active', submission: { campaignId: { in: ids } } },
      select: {
        id: true,
        reviewStatus: true,
        forms: true,
        submission: { select: { campaignId: true, unitId: true } },
        summary: { select: { status: true, heldDates: true, links: true, attachments: { where: { deletedAt: null }, select: { kind: true } } } },
      },
    }),
  ]);
  // Ranks only where the evaluation has scores (computeResults reads a campaign's whole rubric);
  // provisional until the coordinator confirms the results.
  const ranks = new Map<string, Rank>();
  const settled = new Set((await tx.evaluation.findMany({ where: { campaignId: { in: ids }, status: { in: ['confirmed', 'announced'] } }, select: { campaignId: true } })).map((e) => e.campaignId));
  for (const c of campaigns) {
    if ((await tx.score.count({ where: { campaignId: c.id } })) === 0) continue;
    for (const r of (await computeResults(tx, c)).results) {
      if (r.ranked.rank !== undefined) ranks.set(r.activity.themeId, { rank: r.ranked.rank, tied: r.ranked.tied, ...(settled.has(c.id) ? {} : { provisional: true }) });
    }
  }
  return computeHistory({
    years: campaigns.map((c) => c.year),
    units,
    submissions: submissions.map((s) => ({ year: yearOf.get(s.campaignId)!, unitId: s.unitId, status: s.status, late: s.late })),
    themes: themes.map((t): HistoryTheme => {
      const rank = ranks.get(t.id);
      const s = t.summary;
      return {
        year: yearOf.get(t.submission.campaignId)!,
        unitId: t.submission.unitId,
        themeId: t.id,
        reviewStatus: t.reviewStatus,
        forms: parseForms(t.forms),
        summary: s
          ? {
              status: s.status,
              heldDates: storedDates(s.heldDates).length,
              photos: s.attachments.length,
              logoPhoto: s.attachments.some((a) => a.kind === 'logo_photo'),
              links: linkCount(storedLinks(s.links)),
            }
          : null,
        ...(rank ? { rank } : {}),
      };
    }),
  });
}

/**
 * After commit (the card's 导出 button): build the XLSX, store it and send it to the chat through the
 * outbox; the card the button is on (`messageId`) is redrawn with a 下载 link to the same file.
 */
export async function sendHistoryExport(services: AppServices, chatId: string, actor: string, requestId: string, messageId?: string): Promise<void> {
  const key = requestId.replace(/[^A-Za-z0-9_-]/g, '').slice(-24);
  try {
    const now = services.clock.now();
    const history = await loadHistory(services.db);
    const data = await services.files.historyWorkbook(history);
    const stamp = shanghaiDateTime(now).replace(/[-: ]/g, '').slice(0, 12);
    const fileName = `政务公开主题日年度对比-${stamp}.xlsx`;
    const storedPath = await services.storage.put(`exports/history/history-${stamp}-${key}.xlsx`, data);
    await withContext(
      services,
      actor,
      async (ctx) => {
        await ctx.enqueue(`history.export:${key}`, { op: 'file', to: { chatId }, fileName, fileType: 'xls', storedPath });
        const link = messageId ? await downloadLinkFor(ctx, { storedPath, fileName, label: 'Excel' }) : undefined;
        if (messageId && link) await ctx.enqueue(`history.export_link:${key}`, { op: 'patch', messageId, card: buildHistoryCard(history, { generatedAtText: shanghaiDateTime(now), downloads: [link] }) });
        await ctx.audit({ action: 'history.export', entity: 'Campaign', entityId: null, after: { fileName, bytes: data.length, years: history.years } });
      },
      { eventId: `export:${requestId}` },
    );
  } catch (error) {
    services.log.error('history export failed', { error });
    await withContext(services, actor, async (ctx) => {
      await ctx.enqueue(`history.export_failed:${key}`, { op: 'send', to: { chatId }, text: '年度对比表生成失败，请稍后重试；如仍失败请联系管理员查看日志。' });
    });
  }
}
