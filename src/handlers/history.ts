// `年度对比` (coordinators): every campaign year side by side, as a card with charts; its button
// sends the per unit and year XLSX to the chat.
import type { Bot } from '../app/bot.ts';
import { shanghaiDateTime } from '../domain/time.ts';
import { loadHistory, sendHistoryExport } from '../usecases/history/history.ts';
import { buildHistoryCard } from '../../cards/history.ts';
import { historyActions } from '../../cards/actions.ts';
import { coordinatorOnly, coordinatorsOnly } from './guards.ts';
import { answer } from './answer.ts';

export function register(bot: Bot): void {
  bot.command(
    { names: ['年度对比', '历年对比'], summary: '历年主题日活动对比：各年度申报、按时提交率、审核通过、举办、总结和评选情况（含图表）', example: '@主题日助手 年度对比', audience: 'coordinator', id: 'history.view' },
    coordinatorOnly,
    async (ctx) => {
      await ctx.reply(buildHistoryCard(await loadHistory(ctx.tx), { generatedAtText: shanghaiDateTime(ctx.now) }));
    },
  );
  bot.action(historyActions.export, coordinatorsOnly('只有县政务公开办的协调人可以导出年度对比表（已记录）'), async (ctx, _v, a) => {
    const { services, actor } = ctx;
    ctx.afterCommit(() => sendHistoryExport(services, a.chatId, actor, a.eventId, a.messageId));
    return answer.info('正在生成年度对比表，稍后发到本会话');
  });
}

export const historyFeature = { register };
