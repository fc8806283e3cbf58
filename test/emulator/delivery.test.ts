// Event and card-callback pushes: envelope, signature, encryption, re-delivery, duplicates, card replacement.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { verifyUrlChallenge } from '../../src/emulator/index.ts';
import { GROUP, USERS, card, simpleCard, sleep, startBot, startEmulator, type Started, type TestBot } from './support.ts';

const ENCRYPT_KEY = 'encrypt-key-for-tests';

let s: Started;
let bot: TestBot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await s.close();
  await bot.close();
});

const header = (r: { headers: Record<string, string | string[] | undefined> }, name: string): string => String(r.headers[name] ?? '');

describe('events', () => {
  it('delivers im.message.receive_v1 with mentions as a v2 envelope', async () => {
    s = await startEmulator({ botUrl: bot.url });
    const { messageId, delivery } = await s.emu.userSendText(USERS.xs.openId, GROUP, '进度已更新 @李协调', { mentionBot: true });
    expect(delivery.status).toBe('acked');
    const r = bot.received[0];
    expect(r?.path).toBe('/feishu/events');
    const body = r?.body as { schema: string; header: Record<string, string>; event: { sender: { sender_id: { open_id: string } }; message: Record<string, unknown> } };
    expect(body.schema).toBe('2.0');
    expect(body.header).toMatchObject({ event_type: 'im.message.receive_v1', token: 'vt-test', app_id: s.emu.options.appId, event_id: delivery.eventId });
    expect(body.event.sender.sender_id.open_id).toBe(USERS.xs.openId);
    const msg = body.event.message;
    expect(msg).toMatchObject({ message_id: messageId, chat_id: GROUP, chat_type: 'group', message_type: 'text' });
    expect(msg.create_time).toMatch(/^\d{13}$/);
    expect(JSON.parse(msg.content as string)).toEqual({ text: '@_user_2 进度已更新 @_user_1' });
    expect(msg.mentions).toEqual([
      expect.objectContaining({ key: '@_user_1', name: '李协调', id: expect.objectContaining({ open_id: USERS.coord.openId }) }),
      expect.objectContaining({ key: '@_user_2', name: '主题日助手', id: expect.objectContaining({ open_id: s.emu.botOpenId }) }),
    ]);
    expect(header(r!, 'x-lark-request-timestamp')).toMatch(/^\d{10}$/);
    expect(header(r!, 'x-lark-request-nonce')).not.toBe('');
  });

  it('p2p messages, images with parent_id, and bot added/removed events', async () => {
    s = await startEmulator({ botUrl: bot.url });
    const p2p = s.emu.p2pChatId(USERS.edu.openId);
    const first = await s.emu.userSendText(USERS.edu.openId, p2p, '你好');
    await s.emu.userSendImage(USERS.edu.openId, p2p, Buffer.from('img'), '照片.png', { parentId: first.messageId });
    const [text, image] = bot.received.map((r) => (r.body.event as { message: Record<string, unknown> }).message);
    expect(text).toMatchObject({ chat_type: 'p2p', chat_id: p2p });
    expect(image).toMatchObject({ message_type: 'image', parent_id: first.messageId, root_id: first.messageId });
    expect(JSON.parse(image?.content as string)).toEqual({ image_key: expect.stringMatching(/^img_v3_/) });

    bot.received.length = 0;
    const removed = await s.emu.removeBotFromChat(GROUP, USERS.coord.openId);
    expect(removed.status).toBe('acked');
    const silent = await s.emu.userSendText(USERS.xs.openId, GROUP, '没人听');
    expect(silent.delivery.status).toBe('not_subscribed');
    await s.emu.addBotToChat(GROUP, USERS.coord.openId);
    expect(bot.received.map((r) => (r.body.header as { event_type: string }).event_type)).toEqual(['im.chat.member.bot.deleted_v1', 'im.chat.member.bot.added_v1']);
    expect(bot.received[1]?.body.event).toMatchObject({ chat_id: GROUP, operator_id: { open_id: USERS.coord.openId }, name: '主题日工作群' });
  });

  it('signs with hex(sha256(ts + nonce + key + rawBody)) and encrypts for lark.AESCipher', async () => {
    s = await startEmulator({ botUrl: bot.url, encryptKey: ENCRYPT_KEY });
    const { delivery } = await s.emu.userSendText(USERS.xs.openId, GROUP, '加密');
    const r = bot.received[0]!;
    const ts = header(r, 'x-lark-request-timestamp');
    const nonce = header(r, 'x-lark-request-nonce');
    const expected = createHash('sha256')
      .update(ts + nonce + ENCRYPT_KEY + r.raw)
      .digest('hex');
    expect(header(r, 'x-lark-signature')).toBe(expected);
    expect(Object.keys(r.body)).toEqual(['encrypt']);
    const plain = JSON.parse(new lark.AESCipher(ENCRYPT_KEY).decrypt(r.body.encrypt as string)) as { header: { event_id: string } };
    expect(plain.header.event_id).toBe(delivery.eventId);
  });

  it('the SDK EventDispatcher accepts the signed, encrypted push', async () => {
    s = await startEmulator({ botUrl: bot.url, encryptKey: ENCRYPT_KEY });
    const seen: string[] = [];
    const dispatcher = new lark.EventDispatcher({ encryptKey: ENCRYPT_KEY, verificationToken: 'vt-test', loggerLevel: lark.LoggerLevel.error }).register({
      'im.message.receive_v1': async (data) => {
        seen.push(data.message.message_id);
      },
    });
    bot.handle = async (r, res) => {
      const data = Object.assign(Object.create({ headers: r.headers }) as object, r.body);
      await dispatcher.invoke(data);
      res.json({});
    };
    const { messageId } = await s.emu.userSendText(USERS.xs.openId, GROUP, '验签');
    expect(seen).toEqual([messageId]);
  });

  it('re-delivers a slow or failing push with the same event_id', async () => {
    s = await startEmulator({ botUrl: bot.url, ackTimeoutMs: 400, redeliveryDelaysMs: [30, 30, 30] });
    let n = 0;
    bot.handle = async (_r, res) => {
      n += 1;
      if (n === 1) await sleep(700); // too slow
      if (n === 2) {
        res.status(500).json({});
        return;
      }
      res.json({});
    };
    const { delivery } = await s.emu.userSendText(USERS.xs.openId, GROUP, '慢');
    expect(delivery.status).toBe('failed');
    await s.emu.idle();
    const attempts = s.emu.deliveries({ eventType: 'im.message.receive_v1' });
    expect(attempts.map((a) => [a.attempt, a.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(new Set(attempts.map((a) => a.eventId))).toEqual(new Set([delivery.eventId]));
    await sleep(400);
    expect(new Set(bot.received.map((r) => (r.body.header as { event_id: string }).event_id))).toEqual(new Set([delivery.eventId]));
  });

  it('gives up after the last re-delivery and when the bot is unreachable', async () => {
    s = await startEmulator({ botUrl: bot.url, redeliveryDelaysMs: [10, 10] });
    s.emu.faults.botUnreachable(true);
    const { delivery } = await s.emu.userSendText(USERS.xs.openId, GROUP, '没人在');
    await s.emu.idle();
    expect(delivery.status).toBe('failed');
    expect(s.emu.deliveries().map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(bot.received).toHaveLength(0);
  });

  it('duplicateDeliveries(n) pushes the same event n extra times', async () => {
    s = await startEmulator({ botUrl: bot.url });
    s.emu.faults.duplicateDeliveries(2);
    const { delivery } = await s.emu.userSendText(USERS.xs.openId, GROUP, '重复');
    expect(bot.received).toHaveLength(3);
    expect(bot.received.every((r) => (r.body.header as { event_id: string }).event_id === delivery.eventId)).toBe(true);
    expect(s.emu.deliveries().filter((d) => d.duplicate)).toHaveLength(2);
  });

  it('url verification helper', async () => {
    s = await startEmulator();
    bot.handle = (r, res) => {
      res.json({ challenge: r.body.challenge });
    };
    const result = await verifyUrlChallenge(bot.url, { verificationToken: 'vt-test' });
    expect(result.ok).toBe(true);
    expect(bot.received[0]?.body).toMatchObject({ type: 'url_verification', token: 'vt-test', challenge: result.challenge });
  });
});

describe('card callbacks', () => {
  const formCard = card([
    {
      tag: 'form',
      name: 'f',
      elements: [
        { tag: 'input', name: 'summary', required: true },
        { tag: 'button', name: 'submit', form_action_type: 'submit', text: { tag: 'plain_text', content: '提交' }, behaviors: [{ type: 'callback', value: { action: 'submit_report', taskId: 't1' } }] },
      ],
    },
  ]);

  async function sendFormCard(): Promise<string> {
    const res = await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(formCard) } });
    return res.data?.message_id ?? '';
  }

  it('pushes card.action.trigger and replaces the card with the response', async () => {
    s = await startEmulator({ botUrl: bot.url });
    const id = await sendFormCard();
    bot.handle = (_r, res) => {
      res.json({ toast: { type: 'success', content: '已提交' }, card: { type: 'raw', data: simpleCard('已收到') } });
    };
    const result = await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'submit_report', taskId: 't1' }, tag: 'button', name: 'submit', formValue: { summary: '完成了' } });
    expect(result).toMatchObject({ httpStatus: 200, cardReplaced: true, toast: { type: 'success', content: '已提交' } });
    expect(result.error).toBeUndefined();
    const r = bot.received[0]!;
    expect(r.path).toBe('/feishu/cards');
    const body = r.body as { header: Record<string, string>; event: Record<string, unknown> };
    expect(body.header.event_type).toBe('card.action.trigger');
    expect(body.event).toMatchObject({
      operator: { open_id: USERS.xs.openId },
      token: result.token,
      action: { value: { action: 'submit_report', taskId: 't1' }, tag: 'button', name: 'submit', form_value: { summary: '完成了' } },
      host: 'im_message',
      context: { open_message_id: id, open_chat_id: GROUP },
    });
    expect(s.emu.message(id)?.card).toEqual(simpleCard('已收到'));
    expect(s.emu.message(id)?.history[0]?.via).toBe('callback');
  });

  it('keeps the card and reports 200673 for an invalid card, 200341 for a slow answer, 200671 for non-200', async () => {
    s = await startEmulator({ botUrl: bot.url, ackTimeoutMs: 400 });
    const id = await sendFormCard();
    bot.handle = (_r, res) => {
      res.json({ card: { type: 'raw', data: card([{ tag: 'multi_select_static', name: 'x', options: [] }]) } });
    };
    const invalid = await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'a' } });
    expect(invalid).toMatchObject({ error: '200673', cardReplaced: false });
    expect(invalid.errorDetail).toMatch(/only allowed inside a form/);
    bot.handle = async (_r, res) => {
      await sleep(700);
      res.json({});
    };
    expect((await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'a' } })).error).toBe('200341');
    bot.handle = (_r, res) => {
      res.status(503).send('busy');
    };
    expect((await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'a' } })).error).toBe('200671');
    expect(s.emu.message(id)?.card).toEqual(formCard);
    expect(s.emu.message(id)?.updateCount).toBe(0);
  });

  it('the SDK dispatcher can answer a callback (flattened data, token is the update token)', async () => {
    s = await startEmulator({ botUrl: bot.url, encryptKey: ENCRYPT_KEY });
    const id = await sendFormCard();
    let token = '';
    const dispatcher = new lark.EventDispatcher({ encryptKey: ENCRYPT_KEY, loggerLevel: lark.LoggerLevel.error }).register({
      'card.action.trigger': async (data: { token: string }) => {
        token = data.token;
        return { toast: { type: 'info', content: '好的' } };
      },
    });
    bot.handle = async (r, res) => {
      const data = Object.assign(Object.create({ headers: r.headers }) as object, r.body);
      res.json((await dispatcher.invoke(data)) ?? {});
    };
    const result = await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'a' } });
    expect(result.toast).toEqual({ type: 'info', content: '好的' });
    expect(token).toBe(result.token);
  });
});

describe('scopes and faults on the push side', () => {
  it("groupMessages: 'mentions' only delivers group messages that @ the bot", async () => {
    s = await startEmulator({ botUrl: bot.url, groupMessages: 'mentions' });
    expect((await s.emu.userSendText(USERS.xs.openId, GROUP, '闲聊')).delivery.status).toBe('not_subscribed');
    expect((await s.emu.userSendText(USERS.xs.openId, GROUP, '@主题日助手 进度')).delivery.status).toBe('acked');
    expect((await s.emu.userSendText(USERS.xs.openId, s.emu.p2pChatId(USERS.xs.openId), '单聊')).delivery.status).toBe('acked');
    expect(bot.received).toHaveLength(2);
  });
});
