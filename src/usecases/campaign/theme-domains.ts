// `主题领域`: view or replace a campaign's 主题领域 list (Campaign.settings.themeDomains), audited.
// Themes keep the 领域 they were tagged with; one no longer in the list is simply not counted.
import type { UseCaseContext } from '../../app/bot.ts';
import { parseSettings } from '../../domain/campaign.ts';
import { PLAN_THEME_DOMAINS, parseDomainListText } from '../../domain/theme-domains.ts';
import { domainCounts } from '../submissions/progress.ts';

export async function themeDomainsCommand(ctx: UseCaseContext, campaign: { id: string; year: number; settings: string }, text: string): Promise<string> {
  const settings = parseSettings(campaign.settings);
  const year = `${campaign.year} 年`;
  if (!text.trim()) {
    const { counts, untagged } = await domainCounts(ctx.tx, campaign.id);
    const list = counts.length > 0 ? counts.map((c) => `${c.domain}（${c.count}）`).join('、') : '（未设置，申报表不显示主题领域）';
    const plan = settings.themeDomains.join('、') === PLAN_THEME_DOMAINS.join('、') ? '（实施方案的九大主题）' : '';
    return `${year}的主题领域${plan}：${list}${untagged > 0 ? `；未选领域的主题 ${untagged} 个` : ''}。括号内为已申报主题数。\n修改：主题领域 ${campaign.year} 科教强县、改革开放、…（用顿号分隔，最多 12 个）；恢复：主题领域 ${campaign.year} 恢复默认`;
  }
  const parsed = parseDomainListText(text);
  if (!parsed.ok) {
    await ctx.audit({ action: 'campaign.theme_domains', entity: 'Campaign', entityId: campaign.id, decision: 'deny', reason: parsed.error });
    return parsed.error;
  }
  const before = settings.themeDomains;
  const next = { ...settings, themeDomains: parsed.list };
  await ctx.tx.campaign.update({ where: { id: campaign.id }, data: { settings: JSON.stringify(next) } });
  await ctx.audit({ action: 'campaign.theme_domains', entity: 'Campaign', entityId: campaign.id, before: { themeDomains: before }, after: { themeDomains: parsed.list } });
  const removed = before.filter((d) => !parsed.list.includes(d));
  return `已将${year}的主题领域设为：${parsed.list.join('、')}（${parsed.list.length} 个）。${removed.length > 0 ? `已标注“${removed.join('、')}”的主题保留原标注，但不再计入统计。` : ''}`;
}
