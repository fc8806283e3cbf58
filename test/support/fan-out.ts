// A real fan-out for operations tests: the coordinator launches the 2023 campaign from the
// prefilled card, which puts one notice per active unit in the outbox in one transaction.
import { clickForm, lastInteractive } from '../submissions/support.ts';
import type { Harness } from './harness.ts';

/** The notice date of the county's 2023 plan, 10:00 in Shanghai. */
export const FAN_OUT_START = '2023-03-23T02:00:00Z';

/** Launches the campaign; returns the unit chats that get a notice (not yet delivered). */
export async function launchCampaignFanOut(h: Harness): Promise<string[]> {
  await h.say(h.demo.coordinatorOpenId, h.demo.officeChatId, '发起申报 2023');
  await h.drainOutbox();
  const card = lastInteractive(h.messages(h.demo.officeChatId));
  if (!card) throw new Error('no launch card');
  const r = await clickForm(h, h.demo.coordinatorOpenId, card.messageId, { name: 'btn_launch' }, { launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' });
  if (r.toast?.type !== 'success') throw new Error(`launch refused: ${r.toast?.content ?? r.error}`);
  const units = await h.db.unit.findMany({ where: { active: true }, select: { chatId: true } });
  return units.map((u) => u.chatId).filter((c): c is string => !!c);
}

/** Parses Prometheus text into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
