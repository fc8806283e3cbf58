// Group chats: the bot joining/leaving, 绑定群, and the bind card's confirm button.
import { z } from 'zod';
import type { Bot } from '../app/bot.ts';
import { botAddedToGroup, botRemovedFromGroup, bindGroupByName, confirmGroupBinding } from '../usecases/groups/groups.ts';
import { requireCoordinator } from './coordinator.ts';
import { replyText } from './submissions.ts';

const bindValue = z.object({ chat: z.string().min(1).max(100), coord: z.coerce.number().optional() });

export function registerGroups(bot: Bot): void {
  bot.onBotAdded((ctx, e) => botAddedToGroup(ctx, e));
  bot.onBotRemoved((ctx, e) => botRemovedFromGroup(ctx, e));

  bot.command({ names: ['绑定群'], summary: '把当前群绑定到某个单位（或设为协调人工作群）', example: '@主题日助手 绑定群 星沙街道', audience: 'coordinator' }, async (ctx, m, args) => {
    if (!(await requireCoordinator(ctx, 'group.bind', m))) return;
    if (m.chatType !== 'group') return replyText(ctx, m, '请在要绑定的群里发送这个指令。');
    const r = await bindGroupByName(ctx, m.chatId, args);
    await replyText(ctx, m, r.text);
  });

  bot.action('grp.bind', async (ctx, a) => {
    const v = bindValue.safeParse(a.value);
    if (!v.success || v.data.chat !== a.chatId) return { toast: { type: 'warning', content: '这张卡片不属于本群' } };
    if (!(await requireCoordinator(ctx, 'group.bind'))) return { toast: { type: 'error', content: '只有县政务公开办的协调人可以确认本群所属单位（已记录）' } };
    const unit = typeof a.formValue?.unit === 'string' && a.formValue.unit ? a.formValue.unit : undefined;
    return confirmGroupBinding(ctx, a.chatId, unit, v.data.coord === 1);
  });
}
