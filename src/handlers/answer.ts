// How a feature module answers a card click: a toast, optionally with the card that replaces the
// clicked one, chosen by the kind of the use case's typed result.
import type { CardResponse, ToastType } from '../app/events.ts';
import type { CardJson } from '../../cards/kit.ts';

function toast(type: ToastType) {
  return (content: string, card?: CardJson): CardResponse => ({ toast: { type, content }, ...(card ? { card } : {}) });
}

export const answer = { success: toast('success'), info: toast('info'), warning: toast('warning'), error: toast('error') };

/** The members of R whose kind can be K (a member may carry several kinds). */
type OfKind<R, K> = R extends { kind: infer RK } ? (K extends RK ? R : never) : never;

/** One arm per kind of a result union, each getting the narrowed result; TypeScript checks every kind has its arm. */
export function match<R extends { kind: string }, O>(r: R, arms: { [K in R['kind']]: (r: OfKind<R, K>) => O }): O {
  return (arms[r.kind as R['kind']] as (r: R) => O)(r);
}
