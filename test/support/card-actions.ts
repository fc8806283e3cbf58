// The card actions a card carries, and a check that each is registered on the bot and parses
// (used by test/cards/county-scale.test.ts over every builder, and test/cards/action-registry.test.ts).
import { Bot, type AppServices } from '../../src/app/bot.ts';
import { registerFeatures } from '../../src/handlers/index.ts';

/** Every callback value in a card (buttons, form buttons, wherever they sit). */
export function callbackValues(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(callbackValues);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'callback' && typeof o.value === 'object' && o.value !== null ? [o.value as Record<string, unknown>] : [];
  return [...own, ...Object.values(o).flatMap(callbackValues)];
}

let registered: Bot | undefined;

/** The production bot's registrations (no services are touched while registering). */
export function productionBot(): Bot {
  if (!registered) {
    registered = new Bot({} as AppServices);
    registerFeatures(registered);
  }
  return registered;
}

/** Problems with the actions a card carries: unregistered names, values their definition refuses. */
export function actionProblems(card: unknown): string[] {
  const bot = productionBot();
  const problems: string[] = [];
  for (const value of callbackValues(card)) {
    const name = typeof value.a === 'string' ? value.a : '';
    const def = bot.actionFor(name);
    if (!def) {
      problems.push(`unregistered action '${name}'`);
      continue;
    }
    if (def.name !== name) problems.push(`'${name}' is a legacy name (a builder should use '${def.name}')`);
    const parsed = def.parse(value);
    if (!parsed.ok) problems.push(`${name}: ${parsed.error} in ${JSON.stringify(value)}`);
  }
  return problems;
}

/** Action names seen across cards (to check every definition is reachable from some builder). */
export const seenActions = new Set<string>();
export function noteActions(card: unknown): void {
  for (const v of callbackValues(card)) if (typeof v.a === 'string') seenActions.add(v.a);
}
