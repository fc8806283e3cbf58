// A tiny feature for pipeline tests: `ping` enqueues a card, `test.click` answers a toast + card.
import { noticeCard } from '../../cards/kit.ts';
import { looseAction } from '../../cards/actions.ts';
import type { Bot } from '../../src/app/bot.ts';
import type { Job } from '../../src/app/jobs.ts';

export function pingFeature(bot: Bot): Job[] {
  bot.command({ names: ['ping'], summary: 'test', example: '@bot ping', audience: 'everyone' }, async (ctx, message, args) => {
    await ctx.enqueue(`pong:${message.messageId}`, { op: 'send', to: { chatId: message.chatId }, card: noticeCard('pong', [args || '-']) });
  });
  bot.action(looseAction('test.click'), async (ctx, _value, action) => {
    await ctx.audit({ action: 'test.click', entity: 'card', entityId: action.messageId });
    return { toast: { type: 'success', content: `已收到 ${String(action.value.n ?? '')}` }, card: noticeCard('clicked', ['ok']) };
  });
  bot.action(looseAction('test.fail'), async () => {
    throw new Error('boom');
  });
  return [];
}
