// A character-level diff of two texts as card markdown: what was removed struck through in red,
// what was added bold in green, long unchanged stretches shortened to their ends. (The `diff`
// package computes it; this file only renders.) At most `limit` characters are shown, so a card
// with several rewritten 简介 stays under Feishu's card size.
import { diffChars } from 'diff';
import { bold, colored, escapeMarkdown } from './kit.ts';

/** Unchanged text longer than this is shown as its first and last CONTEXT characters. */
const CONTEXT = 12;

export function markedDiff(before: string, after: string, limit = 240): string {
  const parts = diffChars(before, after);
  let left = limit;
  let out = '';
  for (const [i, p] of parts.entries()) {
    if (left <= 0) return `${out}…`;
    let chars = [...p.value];
    if (!p.added && !p.removed && chars.length > CONTEXT * 2 + 1) {
      const head = i === 0 ? [] : chars.slice(0, CONTEXT);
      const tail = i === parts.length - 1 ? [] : chars.slice(-CONTEXT);
      const shown = `${escapeMarkdown(head.join(''))}…${escapeMarkdown(tail.join(''))}`;
      left -= head.length + tail.length;
      out += shown;
      continue;
    }
    const cut = chars.length > left;
    chars = chars.slice(0, left);
    left -= chars.length;
    const raw = chars.join('');
    const text = escapeMarkdown(raw) + (cut ? '…' : '');
    // bold() keeps edge punctuation and spaces outside the delimiters (CommonMark flanking rules).
    out += p.added ? colored('green', bold(raw) + (cut ? '…' : '')) : p.removed ? colored('red', `~~${text}~~`) : text;
  }
  return out;
}
