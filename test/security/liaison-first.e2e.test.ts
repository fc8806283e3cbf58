// A unit's first liaison: a coordinator confirms (default), or group membership is trusted when
// LIAISON_TRUST_GROUP is on.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { buttonValue, lastInteractive } from '../submissions/support.ts';

describe('the first liaison of a unit', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function setUp(env: Record<string, string>) {
    h = await startHarness({ provider: 'sqlite', clock: new FakeClock('2023-03-20T02:00:00Z'), env });
    const unit = h.demo.units[0]!;
    await h.db.liaison.deleteMany({ where: { unitId: unit.id } });
    const member = unit.liaisons[0]!.openId;
    return { h, unit, member };
  }

  it('is confirmed by a coordinator by default', async () => {
    const { h, unit, member } = await setUp({});
    await h.say(member, unit.chatId, '我是联系人');
    await h.drainOutbox();
    expect(await h.db.liaison.count({ where: { unitId: unit.id } })).toBe(0);
    const coordinatorChat = h.emulator.p2pChatId(h.demo.coordinatorOpenId);
    const card = lastInteractive(h.messages(coordinatorChat))!;
    expect(JSON.stringify(card.card)).toContain('联系人变更待确认');
    await h.click(h.demo.coordinatorOpenId, card.messageId, buttonValue(card.card, { text: '同意' }));
    expect(await h.db.liaison.findFirstOrThrow({ where: { unitId: unit.id } })).toMatchObject({ openId: member, role: 'primary' });
  });

  it('binds at once when LIAISON_TRUST_GROUP is on', async () => {
    const { h, unit, member } = await setUp({ LIAISON_TRUST_GROUP: 'true' });
    await h.say(member, unit.chatId, '我是联系人');
    expect(await h.db.liaison.findFirstOrThrow({ where: { unitId: unit.id } })).toMatchObject({ openId: member, role: 'primary' });
    // A second person in the same group is no longer "first": they must ask.
    const other = unit.liaisons[1]?.openId ?? h.demo.units[1]!.liaisons[0]!.openId;
    await h.say(other, unit.chatId, '我是联系人');
    expect(await h.db.liaison.count({ where: { unitId: unit.id, openId: other } })).toBe(0);
  });
});
