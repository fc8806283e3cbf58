// The full story of one theme: every decision (who, when, why), every version, every audited step.
import type { Tx } from '../../adapters/db/database.ts';
import { shanghaiDateTime } from '../../domain/time.ts';
import { decisionLabel, fieldLabel, parseFields, parseForms } from '../../domain/review.ts';
import type { HistoryVm } from '../../../cards/review.ts';
import type { ActionValue } from '../../../cards/kit.ts';
import { namesOf } from './common.ts';

const AUDIT_LABELS: Record<string, string> = {
  'schedule.move': '调整月份',
  'schedule.move_propose': '提议调整月份',
  'schedule.move_accept': '单位同意调整月份',
  'schedule.move_decline': '单位不同意调整月份',
};

export async function buildHistory(tx: Tx, themeId: string, back?: ActionValue): Promise<HistoryVm | null> {
  const theme = await tx.theme.findUnique({ where: { id: themeId }, include: { submission: { select: { unit: { select: { name: true } } } } } });
  if (!theme) return null;
  const decisions = await tx.reviewDecision.findMany({ where: { themeId }, orderBy: { createdAt: 'asc' } });
  const versions = await tx.themeVersion.findMany({ where: { themeId }, orderBy: { version: 'asc' } });
  const audits = await tx.auditLog.findMany({ where: { entity: 'Theme', entityId: themeId, decision: 'allow', action: { in: Object.keys(AUDIT_LABELS) } }, orderBy: { at: 'asc' } });
  // The unit's withdrawals since the theme was first submitted (they took every theme with them).
  const since = versions[0]?.createdAt ?? theme.createdAt;
  const withdrawals = await tx.submissionRevision.findMany({ where: { submissionId: theme.submissionId, action: 'withdraw', createdAt: { gte: since } }, orderBy: { createdAt: 'asc' }, select: { createdAt: true, actorOpenId: true } });
  const names = await namesOf(tx, [...decisions.map((d) => d.reviewerOpenId), ...versions.map((v) => v.actorOpenId), ...audits.map((a) => a.actorOpenId), ...withdrawals.map((w) => w.actorOpenId)]);
  const who = (id: string) => names.get(id) ?? id;

  const timed: { at: Date; entry: HistoryVm['entries'][number] }[] = [];
  for (const d of decisions) {
    const fields = parseFields(d.fields);
    const detail = [d.reason ? `原因：${d.reason}` : '', fields.length > 0 ? `需修改：${fields.map(fieldLabel).join('、')}` : ''].filter(Boolean).join('；');
    timed.push({ at: d.createdAt, entry: { at: shanghaiDateTime(d.createdAt), who: who(d.reviewerOpenId), what: `${decisionLabel(d.decision)}（v${d.themeVersion}）`, detail: detail || undefined } });
  }
  for (const [i, v] of versions.entries()) {
    if (v.version === 1) continue;
    const before = versions[i - 1]?.createdAt ?? since;
    const afterWithdrawal = withdrawals.some((w) => w.createdAt > before && w.createdAt <= v.createdAt);
    timed.push({ at: v.createdAt, entry: { at: shanghaiDateTime(v.createdAt), who: who(v.actorOpenId), what: `${afterWithdrawal ? '撤回后重新提交' : '修改并重新提交'}（v${v.version}）` } });
  }
  for (const w of withdrawals) timed.push({ at: w.createdAt, entry: { at: shanghaiDateTime(w.createdAt), who: who(w.actorOpenId), what: '撤回本单位的申报', detail: '全部主题随之撤回' } });
  for (const a of audits) {
    let detail: string | undefined;
    try {
      const after = JSON.parse(a.after ?? '{}') as { fromMonth?: number; toMonth?: number };
      if (after.fromMonth && after.toMonth) detail = `${after.fromMonth}月 → ${after.toMonth}月`;
    } catch {
      detail = undefined;
    }
    timed.push({ at: a.at, entry: { at: shanghaiDateTime(a.at), who: who(a.actorOpenId), what: AUDIT_LABELS[a.action] ?? a.action, detail } });
  }
  timed.sort((x, y) => x.at.getTime() - y.at.getTime());

  const versionRows = versions.map((v) => ({ version: v.version, at: shanghaiDateTime(v.createdAt), who: who(v.actorOpenId), title: v.title, month: v.month, forms: parseForms(v.forms), intro: v.intro }));
  if (!versions.some((v) => v.version === theme.version)) {
    versionRows.push({ version: theme.version, at: shanghaiDateTime(theme.updatedAt), who: '当前', title: theme.title, month: theme.month, forms: parseForms(theme.forms), intro: theme.intro });
  }
  return {
    unitName: theme.submission.unit.name,
    theme: { title: theme.title, status: theme.reviewStatus, version: theme.version },
    entries: timed.map((t) => t.entry),
    versions: versionRows,
    back,
  };
}
