// 添加评委 without a name: Feishu's person picker (Card JSON 2.0 `multi_select_person` in a form) offering
// the whole unit directory, not only the coordinator group's members; the picked open_ids arrive as an
// array in form_value. Over the emulator with the real SDK, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { currentCard, expectValidCard, lastBot, lastBotCard, seedScheduled2023 } from '../summaries/support.ts';

type El = Record<string, unknown>;
function find(node: unknown, tag: string): El | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const f = find(n, tag);
      if (f) return f;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const o = node as El;
  if (o.tag === tag) return o;
  for (const v of Object.values(o)) {
    const f = find(v, tag);
    if (f) return f;
  }
  return undefined;
}

describe.each(PROVIDERS_UNDER_TEST)('添加评委 with the person picker (%s)', (provider) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: new FakeClock('2023-12-04T02:00:00Z'), env: { EVIDENCE_CHECK_LINKS: 'false' } });
    await seedScheduled2023(h.db, 20);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('offers everyone in the directory; the picked people become judges with their units', async () => {
    const coordinator = h.demo.coordinatorOpenId;
    await h.say(coordinator, h.demo.officeChatId, '添加评委');
    await h.drainOutbox();
    const { messageId, card } = lastBotCard(h, h.demo.officeChatId);
    expectValidCard(card);
    const picker = find(card, 'multi_select_person')!;
    expect(picker).toBeDefined();
    expect(find(card, 'form')).toBeDefined();
    const offered = (picker.options as { value: string }[]).map((o) => o.value);
    // Liaisons of units far from the coordinator group are offered (the group's members alone would not do).
    const office = h.emulator.chats().find((c) => c.chatId === h.demo.officeChatId)!;
    const far = h.demo.units.slice(0, 3).map((u) => u.liaisons[0]!);
    for (const l of far) {
      expect(offered).toContain(l.openId);
      expect(office.memberOpenIds).not.toContain(l.openId);
    }
    expect(new Set(offered).size).toBe(offered.length);

    const r = await h.click(coordinator, messageId, { a: 'evaluation.add_judges_picked' }, { judges: [far[0]!.openId, far[1]!.openId] });
    expect(r.toast?.type, r.toast?.content).toBe('success');
    const judges = await h.db.judge.findMany({ orderBy: { createdAt: 'asc' } });
    expect(judges.map((j) => j.openId).sort()).toEqual([far[0]!.openId, far[1]!.openId].sort());
    expect(judges.find((j) => j.openId === far[0]!.openId)?.unitId).toBe(h.demo.units[0]!.id);
    // The card is redrawn with the judges so far.
    const redrawn = currentCard(h, messageId);
    expectValidCard(redrawn);
    const text = JSON.stringify(redrawn);
    expect(text).toContain(far[0]!.name);
    expect(text).toContain(h.demo.units[0]!.name);

    // Nothing picked, or a person outside the directory: nothing happens, said in Chinese.
    expect((await h.click(coordinator, messageId, { a: 'evaluation.add_judges_picked' }, { judges: [] })).toast?.content).toBe('请先选择要添加的评委');
    expect((await h.click(coordinator, messageId, { a: 'evaluation.add_judges_picked' }, { judges: ['ou_nobody'] })).toast?.content).toContain('不在单位名录中');
    expect(await h.db.judge.count()).toBe(2);
  });

  it('a liaison gets no picker and cannot add judges through it', async () => {
    const unit = h.demo.units[4]!;
    const liaison = unit.liaisons[0]!.openId;
    await h.say(liaison, unit.chatId, '添加评委');
    await h.drainOutbox();
    expect(lastBot(h, unit.chatId).msgType).not.toBe('interactive');
    // A working group where the liaison sits beside the coordinator: the submit checks who clicks.
    const group = h.emulator.createChat({ name: '评选工作专班', memberOpenIds: [h.demo.coordinatorOpenId, liaison], botMember: true });
    await h.say(h.demo.coordinatorOpenId, group.chatId, '添加评委');
    await h.drainOutbox();
    const { messageId } = lastBotCard(h, group.chatId);
    const r = await h.click(liaison, messageId, { a: 'evaluation.add_judges_picked' }, { judges: [liaison] });
    expect(r.toast?.type).toBe('error');
    expect(await h.db.judge.count({ where: { openId: liaison } })).toBe(0);
  });
});
