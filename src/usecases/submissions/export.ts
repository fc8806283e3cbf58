// 导出申报表: the data is read in the handler's transaction (fast); the workbook is built after
// commit, stored, and sent privately to the coordinator who asked (it carries full phone numbers).
import type { Tx } from '../../adapters/db/database.ts';
import type { AppServices, UseCaseContext } from '../../app/bot.ts';
import { withContext } from '../../app/context.ts';
import { PLAN_DEFAULTS, formLabel, unitKindLabel } from '../../domain/campaign.ts';
import type { SubmissionExport } from '../../ports/files.ts';
import { instantText, parseForms } from './shared.ts';
import { downloadLinkFor } from '../exports/links.ts';
import { exportReadyCard } from '../../../cards/download.ts';
import { parseThemeDomains } from '../../domain/theme-domains.ts';

export async function loadSubmissionExport(tx: Tx, campaignId: string, now: Date): Promise<SubmissionExport> {
  const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  const subs = await tx.submission.findMany({
    where: { campaignId, unit: { active: true } },
    include: { unit: true, themes: { where: { state: 'active' }, orderBy: { seq: 'asc' } } },
  });
  subs.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || a.unit.name.localeCompare(b.unit.name, 'zh'));
  return {
    title: PLAN_DEFAULTS.formTitle(campaign.year),
    exportedAtText: instantText(now),
    units: subs.map((s) => {
      const submitted = s.status === 'submitted';
      return {
        unitName: s.unit.name,
        kindLabel: unitKindLabel(s.unit.kind),
        statusLabel: submitted ? (s.late ? '逾期提交' : '已提交') : s.status === 'withdrawn' ? '已撤回' : '未提交',
        submitted,
        contactName: submitted ? (s.contactName ?? '') : '',
        contactPhone: submitted ? (s.contactPhone ?? '') : '',
        submittedAtText: submitted && s.submittedAt ? instantText(s.submittedAt) : '',
        themes: submitted ? s.themes.map((t) => ({ seq: t.seq, title: t.title, month: t.month, forms: parseForms(t.forms).map(formLabel), intro: t.intro, domains: parseThemeDomains(t.domains) })) : [],
      };
    }),
  };
}

export function exportFileBase(year: number, now: Date): string {
  return `${PLAN_DEFAULTS.county}${year}年政务公开主题日活动主题申报表_${instantText(now).replace(/[-: ]/g, '').slice(0, 12)}`;
}

/** Builds, stores and sends both files after the transaction commits. */
export async function sendSubmissionExport(services: AppServices, p: { data: SubmissionExport; year: number; chatId: string; actor: string; now: Date; eventId: string; campaignId: string }): Promise<void> {
  const base = exportFileBase(p.year, p.now);
  const xlsx = await services.files.submissionsXlsx(p.data);
  const csv = services.files.submissionsCsv(p.data);
  const stamp = p.eventId.replace(/[^A-Za-z0-9_-]/g, '_').slice(-40);
  const xlsxPath = await services.storage.put(`exports/submissions/${p.year}/${stamp}.xlsx`, xlsx);
  const csvPath = await services.storage.put(`exports/submissions/${p.year}/${stamp}.csv`, csv);
  await withContext(
    services,
    p.actor,
    async (ctx) => {
      // The table carries liaisons' full phone numbers: only ever privately to the coordinator who asked.
      await ctx.enqueue(`export:${p.campaignId}:${p.eventId}:xlsx`, { op: 'file', to: { openId: p.actor }, fileName: `${base}.xlsx`, fileType: 'xls', storedPath: xlsxPath, fullPhones: true });
      await ctx.enqueue(`export:${p.campaignId}:${p.eventId}:csv`, { op: 'file', to: { openId: p.actor }, fileName: `${base}.csv`, fileType: 'stream', storedPath: csvPath, fullPhones: true });
      const links = [await downloadLinkFor(ctx, { storedPath: xlsxPath, fileName: `${base}.xlsx`, label: 'Excel' }), await downloadLinkFor(ctx, { storedPath: csvPath, fileName: `${base}.csv`, label: 'CSV' })].filter((l) => l !== undefined);
      if (links.length > 0) {
        // Privately too: the files behind the links carry full phone numbers.
        const submitted = p.data.units.filter((u) => u.submitted).length;
        await ctx.enqueue(`export:${p.campaignId}:${p.eventId}:links`, {
          op: 'send',
          to: { openId: p.actor },
          card: exportReadyCard({ title: `${p.year}年申报表已导出`, lines: [`${submitted}/${p.data.units.length} 个单位已提交，导出于 ${p.data.exportedAtText}。文件含联系人完整电话，仅供县政务公开办使用。`], links }),
        });
      }
      await ctx.audit({ action: 'submission.export_sent', entity: 'Campaign', entityId: p.campaignId, after: { xlsxPath, csvPath, bytes: xlsx.length + csv.length } });
    },
    { now: p.now, eventId: `${p.eventId}:export` },
  );
}

/** Reads the data now and schedules the files; returns what to tell the coordinator. */
export async function requestSubmissionExport(ctx: UseCaseContext, campaignId: string, chatId: string): Promise<string> {
  const campaign = await ctx.tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  const data = await loadSubmissionExport(ctx.tx, campaignId, ctx.now);
  await ctx.audit({ action: 'submission.export', entity: 'Campaign', entityId: campaignId, after: { chatId, units: data.units.length } });
  const services = ctx.services;
  const p = { data, year: campaign.year, chatId, actor: ctx.actor, now: ctx.now, eventId: ctx.eventId, campaignId };
  ctx.afterCommit(() => sendSubmissionExport(services, p));
  const submitted = data.units.filter((u) => u.submitted).length;
  return `正在生成申报表（${campaign.year}年，${submitted}/${data.units.length} 个单位已提交），Excel 和 CSV 文件（含联系电话）稍后私聊发给你`;
}
