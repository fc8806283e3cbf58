// Helpers for driving the submission cards like a Feishu client: find a button by name, collect
// what a form shows (so a click sends what the person sees), and click a form button.
import type { Harness } from '../support/harness.ts';
import type { CardCallbackResult, EmuMessage } from '../../src/emulator/types.ts';

export { cardText, waitUntil } from '../support/kit.ts';

type Node = Record<string, unknown>;

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) node.forEach((x) => walk(x, visit));
  else if (node && typeof node === 'object') {
    visit(node as Node);
    for (const v of Object.values(node as Node)) walk(v, visit);
  }
}

export function buttons(card: unknown): { name?: string; text: string; value: Record<string, unknown> }[] {
  const out: { name?: string; text: string; value: Record<string, unknown> }[] = [];
  walk(card, (n) => {
    if (n.tag !== 'button') return;
    const behaviors = (n.behaviors as { type: string; value?: Record<string, unknown> }[] | undefined) ?? [];
    const value = behaviors.find((b) => b.type === 'callback')?.value;
    if (value) out.push({ name: n.name as string | undefined, text: (n.text as { content: string } | undefined)?.content ?? '', value });
  });
  return out;
}

export function buttonValue(card: unknown, match: { name?: string; text?: string }): Record<string, unknown> {
  const b = buttons(card).find((x) => (match.name ? x.name === match.name : true) && (match.text ? x.text === match.text : true));
  if (!b) throw new Error(`button ${JSON.stringify(match)} not found in ${JSON.stringify(buttons(card).map((x) => x.name ?? x.text))}`);
  return b.value;
}

/** What the form fields show right now, as form_value would carry it. */
export function shownFormValues(card: unknown): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  walk(card, (n) => {
    const name = n.name as string | undefined;
    if (!name) return;
    if (n.tag === 'input') v[name] = (n.default_value as string | undefined) ?? '';
    else if (n.tag === 'select_static') v[name] = (n.initial_option as string | undefined) ?? '';
    else if (n.tag === 'multi_select_static') v[name] = (n.selected_values as string[] | undefined) ?? [];
    else if (n.tag === 'date_picker' && n.initial_date) v[name] = `${n.initial_date as string} +0800`;
  });
  return v;
}

/** Red error notes in a card (the text under fields). */
export function errorNotes(card: unknown): string[] {
  const out: string[] = [];
  walk(card, (n) => {
    if (n.tag === 'markdown' && typeof n.content === 'string' && n.content.startsWith("<font color='red'>")) {
      out.push(n.content.replace(/<[^>]+>/g, '').replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))));
    }
  });
  return out;
}

export async function clickForm(h: Harness, openId: string, messageId: string, button: { name?: string; text?: string }, overrides: Record<string, unknown> = {}): Promise<CardCallbackResult & { card: unknown }> {
  const msg = h.emulator.message(messageId);
  if (!msg?.card) throw new Error(`no card ${messageId}`);
  const value = buttonValue(msg.card, button);
  const formValue = { ...shownFormValues(msg.card), ...overrides };
  const r = await h.emulator.userClickCard(openId, messageId, { value, formValue, tag: 'button', ...(button.name ? { name: button.name } : {}) });
  return { ...r, card: h.emulator.message(messageId)?.card };
}

export function lastInteractive(list: EmuMessage[]): EmuMessage | undefined {
  const cards = list.filter((m) => m.msgType === 'interactive');
  return cards[cards.length - 1];
}
