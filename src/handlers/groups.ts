// Group chats: the bot joining/leaving, 绑定群, and the bind card's confirm button.
import type { Bot } from '../app/bot.ts';
import { groupActions } from '../../cards/actions.ts';
import { buildGroupBindCard, buildGroupBoundCard } from '../../cards/group.ts';
import { botAddedToGroup, botRemovedFromGroup, bindGroupByName, confirmGroupBinding } from '../usecases/groups/groups.ts';
import { coordinatorOnly, coordinatorsOnly } from './guards.ts';
import { answer, match } from './answer.ts';

export function registerGroups(bot: Bot): void {
  bot.onBotAdded((ctx, e) => botAddedToGroup(ctx, e));
  bot.onBotRemoved((ctx, e) => botRemovedFromGroup(ctx, e));

  bot.command({ names: ['绑定群'], id: 'group.bind', summary: '把当前群绑定到某个单位（或设为协调人工作群）', example: '@主题日助手 绑定群 星沙街道', audience: 'coordinator' }, coordinatorOnly, async (ctx, m, args) => {
    if (m.chatType !== 'group') return ctx.reply('请在要绑定的群里发送这个指令。');
    await ctx.reply((await bindGroupByName(ctx, m.chatId, args)).text);
  });

  bot.action(groupActions.bind, coordinatorsOnly('只有县政务公开办的协调人可以确认本群所属单位（已记录）'), async (ctx, v, a) => {
    if (v.chatId !== a.chatId) return answer.warning('这张卡片不属于本群');
    const unit = typeof a.formValue?.unit === 'string' && a.formValue.unit ? a.formValue.unit : undefined;
    const r = await confirmGroupBinding(ctx, a.chatId, unit, v.asCoordinator === true);
    return match(r, {
      coordinator_group: (r) => answer.success('已设为协调人工作群', buildGroupBoundCard({ chatName: r.chatName, unitName: null, byName: r.byName })),
      bound: (r) => answer.success(r.text, buildGroupBoundCard({ chatName: r.chatName, unitName: r.unitName, byName: r.byName })),
      no_unit: (r) => answer.error('请先选择单位', buildGroupBindCard({ chatId: r.chatId, chatName: r.chatName, units: r.units, error: '请先选择单位' })),
      refused: (r) => answer.error(r.text),
    });
  });
}

export const groupsFeature = { register: registerGroups };
