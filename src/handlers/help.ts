// 帮助 and the answer to text nobody understood: the commands the asker may use, with examples.
import type { Bot, CommandSpec, HandlerContext } from '../app/bot.ts';
import type { MessageEvent } from '../app/events.ts';
import { isCoordinator } from '../app/access.ts';
import { buildHelpCard } from '../../cards/help.ts';
import { replyCard } from './submissions.ts';
import { quoteInput } from '../domain/user-text.ts';

async function helpCard(ctx: HandlerContext, commands: readonly CommandSpec[], intro?: string, compact = false) {
  const coordinator = await isCoordinator(ctx.tx, ctx.actor, ctx.config.coordinatorOpenIds);
  const line = (c: CommandSpec) => ({ name: c.names[0]!, summary: c.summary, example: c.example });
  return buildHelpCard({
    intro,
    compact,
    coordinator: coordinator ? commands.filter((c) => c.audience === 'coordinator').map(line) : undefined,
    liaison: commands.filter((c) => c.audience !== 'coordinator').map(line),
  });
}

export function registerHelp(bot: Bot): void {
  bot.command({ names: ['帮助', 'help', '指令', '菜单'], summary: '列出你可以使用的指令和示例', example: '@主题日助手 帮助', audience: 'everyone' }, async (ctx, m) => {
    await replyCard(ctx, m, await helpCard(ctx, bot.listCommands()));
  });
  bot.onUnknownText(async (ctx, m: MessageEvent, commands) => {
    const typed = m.text.length > 20 ? `${m.text.slice(0, 20)}…` : m.text;
    await replyCard(ctx, m, await helpCard(ctx, commands, typed ? `没看懂“${quoteInput(typed)}”。你可以使用下面的指令：` : '你好，我是主题日助手。你可以使用下面的指令：', true));
  });
}
