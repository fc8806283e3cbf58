// A real fan-out for operations tests: the coordinator launches the 2023 campaign from the
// prefilled card, which puts one notice per active unit in the outbox in one transaction.
import { buttonValue, lastInteractive, shownFormValues } from '../submissions/support.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import type { Emulator } from '../../src/emulator/types.ts';
import { DEMO_OFFICE } from '../../src/domain/demo-directory.ts';

/** The notice date of the county's 2023 plan, 10:00 in Shanghai. */
export const FAN_OUT_START = '2023-03-23T02:00:00Z';

export interface FanOutDriver {
  emulator: Emulator;
  db: Db;
  /** waits until the outbox has delivered what is due */
  settle(): Promise<void>;
}

/** Launches the campaign; returns the unit chats that get a notice (delivered in the background). */
export async function launchCampaignFanOut(d: FanOutDriver): Promise<string[]> {
  const coordinator = DEMO_OFFICE.coordinator.openId;
  await d.emulator.userSendText(coordinator, DEMO_OFFICE.chatId, '发起申报 2023', { mentionBot: true });
  await d.settle();
  const card = lastInteractive(d.emulator.messages(DEMO_OFFICE.chatId));
  if (!card?.card) throw new Error('no launch card');
  const formValue = { ...shownFormValues(card.card), launch_contact_phone: '0731-84872387', launch_contact_email: 'CSX84872387@163.com' };
  const r = await d.emulator.userClickCard(coordinator, card.messageId, { value: buttonValue(card.card, { name: 'btn_launch' }), formValue, tag: 'button', name: 'btn_launch' });
  if (r.toast?.type !== 'success') throw new Error(`launch refused: ${r.toast?.content ?? r.error}`);
  const units = await d.db.unit.findMany({ where: { active: true }, select: { chatId: true } });
  return units.map((u) => u.chatId).filter((c): c is string => !!c);
}

/** Notices per unit chat, counted by Feishu uuid: every key must be 1 (nothing lost, nothing doubled). */
export function deliveriesByUuid(emulator: Emulator, chats: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of chats) for (const m of emulator.messages(c)) if (m.uuid) counts.set(m.uuid, (counts.get(m.uuid) ?? 0) + 1);
  return counts;
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
