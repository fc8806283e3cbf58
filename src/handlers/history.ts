// `年度对比` (coordinators): every campaign year side by side, as a card with charts.
import type { Bot } from '../app/bot.ts';
import { shanghaiDateTime } from '../domain/time.ts';
import { loadHistory } from '../usecases/history/history.ts';
import { buildHistoryCard } from '../../cards/history.ts';
import { requireCoordinator } from './coordinator.ts';
import { replyCard } from './submissions.ts';

export function register(bot: Bot): void {
  bot.command({ names: ['年度对比', '历年对比'], summary: '历年主题日活动对比：各年度申报、按时提交率、审核通过、举办、总结和评选情况（含图表）', example: '@主题日助手 年度对比', audience: 'coordinator' }, async (ctx, m) => {
    if (!(await requireCoordinator(ctx, 'history.view', m))) return;
    await replyCard(ctx, m, buildHistoryCard(await loadHistory(ctx.tx), { generatedAtText: shanghaiDateTime(ctx.now) }));
  });
}

export const historyFeature = { register };
