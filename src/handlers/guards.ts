// Guards: the checks that run before a command or card action (listener middleware). A feature
// names them at registration — `bot.command(spec, coordinatorOnly, inStage('nudge', 'collecting'), fn)` —
// and the bot turns a refusal into `ctx.deny` (audit row + reply or toast). No handler checks a role
// or a stage by hand.
import type { Guard, GuardInput, HandlerContext } from '../app/bot.ts';
import { stageRefusal, type StageCommand } from '../domain/campaign-stage.ts';
import { campaignFor, splitYearArg, type CampaignIntent } from '../usecases/campaign/resolve.ts';
import { loadStage, type StageCampaign } from '../usecases/campaign/load-stage.ts';

const COORDINATOR_ONLY = '只有县政务公开办的协调人可以使用这个指令';

/** Coordinators only (the configured ones and those added with 添加协调人). `text` replaces the default refusal. */
export function coordinatorsOnly(text?: string): Guard {
  return async (ctx, input) => {
    if (await ctx.is('coordinator')) return null;
    const shown = text ?? (input.kind === 'command' ? `${COORDINATOR_ONLY}。发送“@主题日助手 帮助”查看你可以使用的指令。` : `${COORDINATOR_ONLY}（已记录）`);
    return { text: shown, reason: 'not a coordinator' };
  };
}

export const coordinatorOnly: Guard = coordinatorsOnly();

/**
 * Coordinators and the reviewers named for the campaign the event is about (`campaignOf` finds
 * it: a theme's own campaign, the card's, or the year typed); with no campaign, coordinators only.
 */
export function reviewersOf(campaignOf: (ctx: HandlerContext, input: GuardInput) => Promise<string | null>, text: string): Guard {
  return async (ctx, input) => {
    const campaignId = await campaignOf(ctx, input);
    if (await ctx.is('reviewer', campaignId ?? undefined)) return null;
    return { text, reason: 'not a reviewer', entity: 'Theme' };
  };
}

/** The year typed after a command (`审核 2026`) or the campaign a card was built for. */
function pickOf(input: GuardInput): { year?: number; campaignId?: string } {
  if (input.kind === 'command') return { year: splitYearArg(input.args).year };
  const v = input.value as { campaignId?: unknown };
  return typeof v?.campaignId === 'string' ? { campaignId: v.campaignId } : {};
}

/**
 * The command makes sense in the campaign's current stage (domain/campaign-stage.ts STAGE_COMMANDS);
 * otherwise the Chinese refusal says the stage, when the command is used and what to do next.
 * The campaign is the one the command acts on (`intent`, or the year typed); with none, the
 * handler answers (nothing launched yet is its own message).
 */
export function inStage(command: StageCommand, intent: CampaignIntent): Guard {
  return inStageOf(command, (ctx, input) => campaignFor(ctx.tx, intent, { now: ctx.now, ...pickOf(input) }));
}

/**
 * The same, for a feature that finds the campaign itself (审核: a button on a 2026 theme acts on
 * 2026 whatever the intent's rule picks today). `role` picks whose next step the refusal names.
 */
export function inStageOf(command: StageCommand, campaignOf: (ctx: HandlerContext, input: GuardInput) => Promise<StageCampaign | null>, role: 'coordinator' | 'liaison' = 'coordinator'): Guard {
  return async (ctx, input) => {
    const campaign = await campaignOf(ctx, input);
    if (!campaign) return null;
    const stage = await loadStage(ctx.tx, campaign, ctx.now);
    const refusal = stageRefusal(command, stage, role);
    return refusal ? { text: `【${campaign.year}年】${refusal}`, reason: `stage ${stage}`, entity: 'Campaign', entityId: campaign.id } : null;
  };
}
