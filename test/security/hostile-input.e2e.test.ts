// Hostile input through the real webhook path (SDK-signed deliveries from the emulator): strings
// that used to make the database throw (poison events Feishu re-delivers for hours), arguments that
// used to be echoed in full or raw into replies, and a card callback replayed under a new event id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { newClock, seedCampaign2023 } from '../review/support.ts';
import type { CardActionEvent } from '../../src/app/events.ts';
import { Bot } from '../../src/app/bot.ts';
import { looseAction } from '../../cards/actions.ts';

describe.each(PROVIDERS_UNDER_TEST)('hostile input (%s)', (provider) => {
  let h: Harness;
  let coord: string;
  let office: string;

  beforeAll(async () => {
    h = await startHarness({ provider, clock: newClock() });
    await seedCampaign2023(h.db);
    coord = h.demo.coordinatorOpenId;
    office = h.demo.officeChatId;
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** The bot's text reply to a message. */
  async function replyTo(messageId: string): Promise<string> {
    await h.drainOutbox();
    const m =
      h.messages(office).find((x) => x.senderType === 'app' && x.parentId === messageId) ??
      h
        .messages(office)
        .filter((x) => x.senderType === 'app')
        .pop();
    expect(m, `a reply to ${messageId}`).toBeDefined();
    return m!.msgType === 'text' ? String((m as { text?: string }).text ?? JSON.stringify(m)) : JSON.stringify(m!.card);
  }

  it('a lone surrogate in a message is processed once, not re-delivered as a poison event', async () => {
    const { messageId } = await h.say(coord, office, '审核 星沙\uD800街道');
    const text = await replyTo(messageId);
    expect(text).toContain('没有找到单位');
    expect(text).toContain('\uFFFD');
    expect(await h.db.processedEvent.count({ where: { eventId: `msg:${messageId}` } })).toBe(1);
  });

  it('审核 with a 50 KB argument answers a refusal instead of failing (SQLite LIKE pattern limit)', async () => {
    const { messageId } = await h.say(coord, office, `审核 ${'星'.repeat(50 * 1024)}`);
    const text = await replyTo(messageId);
    expect(text).toContain('消息过长');
    expect(text.length).toBeLessThan(200);
    const { messageId: m2 } = await h.say(coord, office, `审核 ${'星沙'.repeat(1500)}`);
    const t2 = await replyTo(m2);
    expect(t2).toContain('没有找到单位');
    expect(t2.length).toBeLessThan(200);
  });

  it('设置工作日 with a long note echoes a short excerpt only', async () => {
    const { messageId } = await h.say(coord, office, `设置工作日 2027-01-01 休息 ${'元旦'.repeat(1500)}`);
    const text = await replyTo(messageId);
    expect(text).toContain('备注最多 40 个字');
    expect(text).toContain('共 ');
    expect(text.length).toBeLessThan(200);
  });

  it.each([
    ['工作日列表', '工作日列表 <at user_id="all">所有人</at>'],
    ['删除工作日', '删除工作日 <at user_id="all">所有人</at>'],
    ['设置工作日', '设置工作日 <at user_id="all">所有人</at> 休息'],
    ['发起申报', '发起申报 2023 [点我](http://evil.example) <b>x</b>'],
    ['审核', '审核 <at user_id="all"></at>'],
  ])('%s never echoes Feishu text markup', async (_name, typed) => {
    const { messageId } = await h.say(coord, office, typed);
    const text = await replyTo(messageId);
    expect(text).not.toMatch(/<at|<b>|\]\(http/);
  });

  it('绑定群 escapes the typed name', async () => {
    const chat = h.demo.units[0]!.chatId;
    const { messageId } = await h.say(coord, chat, '绑定群 <at user_id="all">所有人</at>');
    await h.drainOutbox();
    const m = h
      .messages(chat)
      .filter((x) => x.senderType === 'app')
      .pop()!;
    expect(JSON.stringify(m)).toContain('找不到单位');
    expect(JSON.stringify(m)).not.toContain('<at user_id=\\"all\\">');
    expect(messageId).toBeTruthy();
  });

  it('催办 with a long list of unknown names fits one card within Feishu limits', async () => {
    const names = Array.from({ length: 600 }, (_, i) => `单位${i}`).join(' ');
    const { messageId } = await h.say(coord, office, `催办 ${names}`);
    await h.drainOutbox();
    const row = await h.db.outboxMessage.findFirstOrThrow({ where: { idempotencyKey: `reply:${messageId}#1` } });
    expect(row.status).not.toBe('failed');
    const card = (JSON.parse(row.payload) as { card: unknown }).card;
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(30 * 1024);
    const count = (n: unknown): number => (Array.isArray(n) ? n.reduce((s: number, x) => s + count(x), 0) : n && typeof n === 'object' ? ('tag' in n ? 1 : 0) + Object.values(n).reduce((s: number, x) => s + count(x), 0) : 0);
    expect(count(card)).toBeLessThan(200);
    expect(JSON.stringify(card)).toContain('等 600 个');
  });

  it('a card callback replayed under a new event id with the same token is processed once', async () => {
    let runs = 0;
    h.bot.action(looseAction('test.count'), async () => {
      runs++;
      return { toast: { type: 'info', content: 'ok' } };
    });
    const event = (eventId: string): CardActionEvent => ({ kind: 'card_action', eventId, operatorOpenId: coord, chatId: office, messageId: 'om_x', value: { a: 'test.count' }, token: 'c-replayed-token' });
    expect((await h.bot.dispatch(event('ev_first'))).duplicate).toBe(false);
    expect((await h.bot.dispatch(event('ev_second'))).duplicate).toBe(true);
    expect(runs).toBe(1);
  });

  it('a storm of copies runs once; a copy after a restart is still a duplicate, from the database', async () => {
    let runs = 0;
    const count = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return { toast: { type: 'info' as const, content: 'ok' } };
    };
    h.bot.action(looseAction('test.storm'), count);
    const event: CardActionEvent = { kind: 'card_action', eventId: 'ev_storm', operatorOpenId: coord, chatId: office, messageId: 'om_s', value: { a: 'test.storm' }, token: 'c-storm-token' };
    const results = await Promise.all(Array.from({ length: 20 }, () => h.bot.dispatch(event)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(runs).toBe(1);
    // a new process over the same database knows nothing in memory: the stored key decides
    const restarted = new Bot(h.bot.services);
    restarted.action(looseAction('test.storm'), count);
    expect((await restarted.dispatch(event)).duplicate).toBe(true);
    expect((await restarted.dispatch({ ...event, eventId: 'ev_storm_replayed' })).duplicate).toBe(true);
    expect(runs).toBe(1);
  });

  it('oversized form fields and lone surrogates in card payloads are refused or repaired, never thrown', async () => {
    const r = await h.bot.dispatch({ kind: 'card_action', eventId: 'ev_big', operatorOpenId: coord, chatId: office, messageId: 'om_y', value: { a: 'sub.progress' }, oversized: { field: '填写的内容', limit: 5000 } });
    expect(r.response.toast?.content).toContain('过长');
  });
});
