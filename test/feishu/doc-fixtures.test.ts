// Feishu's own documentation examples (test/fixtures/feishu/*.json, each with the page it came from)
// through normalisation, then through the bot: the ids of the examples are moved onto the demo
// county (the shapes stay exactly as documented), and one travels signed and encrypted through the
// webhook like a real push.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEnvelope } from '../../src/adapters/feishu/normalize.ts';
import { decryptFeishu, feishuSignature, verifyFeishuRequest } from '../../src/adapters/feishu/verify.ts';
import type { BotAddedEvent, CardActionEvent, MessageEvent } from '../../src/app/events.ts';
import { encryptPayload, signPayload } from '../../src/emulator/index.ts';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const DIR = path.join(import.meta.dirname, '../fixtures/feishu');
type Envelope = { schema: string; header: Record<string, string>; event: Record<string, unknown> };
type Fixture = { source: string; note: string; payload: Envelope };
const load = (name: string): Fixture => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Fixture;
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('documentation fixtures', () => {
  it('every fixture names the open.feishu.cn page it came from', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) expect((JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { source: string }).source, f).toMatch(/^https:\/\/open\.feishu\.cn\/document\//);
  });

  it('normalises the group message with a mention (the receive page example)', () => {
    const { payload } = load('im.message.receive_v1.group-mention.json');
    const r = normalizeEnvelope(payload, 'ou_84aad35d084aa403a838cf73ee18467');
    expect(r.ok).toBe(true);
    const e = (r as { event: MessageEvent }).event;
    expect(e).toMatchObject({
      kind: 'message',
      eventId: '5e3702a84e847582be8db7fb73283c02',
      messageId: 'om_5ce6d572455d361153b7cb51da133945',
      chatId: 'oc_5ce6d572455d361153b7xx51da133945',
      chatType: 'group',
      senderOpenId: 'ou_84aad35d084aa403a838cf73ee18467',
      msgType: 'text',
      text: 'hello',
      mentionedBot: true,
      parentId: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf',
      rootId: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf',
    });
    expect(e.mentions).toEqual([{ key: '@_user_1', openId: 'ou_84aad35d084aa403a838cf73ee18467', name: 'Tom' }]);
    expect(e.createTime.toISOString()).toBe('2020-12-27T12:45:51.345Z');
    // Another bot's mention is not ours.
    expect((normalizeEnvelope(payload, 'ou_other') as { event: MessageEvent }).event.mentionedBot).toBe(false);
  });

  it('normalises p2p text and image messages', () => {
    const p2p = (normalizeEnvelope(load('im.message.receive_v1.p2p.json').payload, undefined) as { event: MessageEvent }).event;
    expect(p2p).toMatchObject({ chatType: 'p2p', text: '帮助', mentions: [], mentionedBot: false });
    const img = (normalizeEnvelope(load('im.message.receive_v1.image.json').payload, undefined) as { event: MessageEvent }).event;
    expect(img).toMatchObject({ msgType: 'image', text: '', content: { image_key: 'img_7ea74629-9191-4176-998c-2e603c9c5e8g' } });
  });

  it('normalises bot added / removed', () => {
    const added = normalizeEnvelope(load('im.chat.member.bot.added_v1.json').payload, undefined) as { ok: true; event: BotAddedEvent };
    expect(added.event).toMatchObject({ kind: 'bot_added', chatId: 'oc_413871888e0d5492e25b173f0812efb7', operatorOpenId: 'ou_84aad35d084aa403a838cf73ee18467' });
    const removed = normalizeEnvelope(load('im.chat.member.bot.deleted_v1.json').payload, undefined) as { ok: true; event: { kind: string; chatId: string } };
    expect(removed.event).toMatchObject({ kind: 'bot_removed', chatId: 'oc_413871888e0d5492e25b173f0812efb7' });
  });

  it('normalises the card callback with form_value (masked ids and all)', () => {
    const r = normalizeEnvelope(load('card.action.trigger.form.json').payload, undefined) as { ok: true; event: CardActionEvent };
    expect(r.ok).toBe(true);
    expect(r.event).toMatchObject({
      kind: 'card_action',
      eventId: 'f7984f25108f8137722bb63c*****',
      operatorOpenId: 'ou_3c14f3a59eaf2825dbe25359f15*****',
      token: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d******',
      messageId: 'om_574d639e4a44e4dd646eaf628e2*****',
      chatId: 'oc_e4d2605ca917e695f54f11aaf56*****',
      value: { key: 'value' },
    });
    expect(r.event.formValue).toMatchObject({ 'field name1': ['selectDemo1', 'selectDemo2'], Input_lf4fmxwfrd9: '1234', DatePicker_bpqdq5puvn4: '2024-04-01 +0800' });
  });

  it('decrypts the Encrypt Key page example', () => {
    const v = JSON.parse(readFileSync(path.join(DIR, 'encrypt-key.vector.json'), 'utf8')) as { encryptKey: string; encrypt: string; plaintext: string };
    expect(decryptFeishu(v.encrypt, v.encryptKey)).toBe(v.plaintext);
    expect(() => decryptFeishu(v.encrypt, 'other key')).toThrow();
  });

  it('verifies, decrypts and normalises the encrypted receive example as a signed push', () => {
    const f = JSON.parse(readFileSync(path.join(DIR, 'im.message.receive_v1.encrypted.json'), 'utf8')) as { encryptKey: string; payload: { encrypt: string } };
    const raw = Buffer.from(JSON.stringify(f.payload));
    const nowMs = 1_609_073_152_000;
    const timestamp = String(Math.floor(nowMs / 1000));
    const headers = { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': 'n0nce', 'x-lark-signature': feishuSignature(timestamp, 'n0nce', f.encryptKey, raw) };
    const v = verifyFeishuRequest(raw, headers, { encryptKey: f.encryptKey, verificationToken: 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV', nowMs });
    expect(v.ok && v.kind).toBe('event');
    const body = (v as { body: Record<string, unknown> }).body;
    expect(body).toEqual(load('im.message.receive_v1.group-mention.json').payload);
    expect((normalizeEnvelope(body, undefined) as { event: MessageEvent }).event.text).toBe('hello');
    // Wrong key, wrong token, tampered bytes: refused.
    expect(verifyFeishuRequest(raw, headers, { encryptKey: 'other key', nowMs }).ok).toBe(false);
    expect(verifyFeishuRequest(raw, headers, { encryptKey: f.encryptKey, verificationToken: 'another token', nowMs }).ok).toBe(false);
    expect(verifyFeishuRequest(Buffer.from(raw.toString().replace('"}', ' "}')), headers, { encryptKey: f.encryptKey, nowMs }).ok).toBe(false);
  });
});

describe.each(PROVIDERS_UNDER_TEST.slice(0, 1))('documentation fixtures through the bot (%s)', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provider });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const unit = () => h.demo.units[0]!;
  const liaison = () => unit().liaisons[0]!.openId;
  const processed = async (messageId: string) => h.db.processedEvent.count({ where: { eventId: `msg:${messageId}` } });

  /**
   * The documented message, moved onto a demo chat: sender, chat and (optionally) the mention. The
   * message itself is first stored in the emulator (nothing pushed) so replies have something to reply to.
   */
  async function message(name: string, o: { chatId: string; sender: string; mentionBot?: boolean; image?: boolean }): Promise<Envelope> {
    h.emulator.setBotUrl(undefined);
    const stored = o.image ? await h.emulator.userSendImage(o.sender, o.chatId, Buffer.from('89504e470d0a1a0a', 'hex'), 'photo.png') : await h.emulator.userSendText(o.sender, o.chatId, 'doc fixture');
    h.emulator.setBotUrl(h.url);
    const env = copy(load(name).payload);
    env.header.event_id = `${env.header.event_id}-${stored.messageId}`;
    const ev = env.event as { sender: { sender_id: { open_id: string } }; message: Record<string, unknown> & { mentions?: { id: { open_id: string }; name: string }[] } };
    ev.sender.sender_id.open_id = o.sender;
    ev.message.chat_id = o.chatId;
    ev.message.message_id = stored.messageId;
    ev.message.create_time = String(h.clock.now().getTime());
    delete ev.message.root_id;
    delete ev.message.parent_id;
    for (const m of ev.message.mentions ?? []) if (o.mentionBot) Object.assign(m, { id: { ...m.id, open_id: h.emulator.botOpenId }, name: h.emulator.botName });
    return env;
  }

  const idOf = (env: Envelope) => (env.event as { message: { message_id: string } }).message.message_id;

  async function dispatch(env: Envelope) {
    const n = normalizeEnvelope(env, h.emulator.botOpenId);
    if (!n.ok) throw new Error(n.reason);
    return h.bot.dispatch(n.event);
  }

  it('answers the documented group message that @mentions the bot, once', async () => {
    const env = await message('im.message.receive_v1.group-mention.json', { chatId: unit().chatId, sender: liaison(), mentionBot: true });
    await dispatch(env);
    expect((await dispatch(env)).duplicate).toBe(true);
    await h.drainOutbox();
    expect(await processed(idOf(env))).toBe(1);
    const replies = h.messages(unit().chatId).filter((m) => m.senderType === 'app');
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(replies.at(-1)!.card ?? replies.at(-1)!.content)).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('answers 帮助 in a single chat (the p2p shape)', async () => {
    const coordinator = h.demo.coordinatorOpenId;
    const chatId = h.emulator.p2pChatId(coordinator);
    const before = h.messages(chatId).length;
    await dispatch(await message('im.message.receive_v1.p2p.json', { chatId, sender: coordinator }));
    await h.drainOutbox();
    const after = h.messages(chatId).filter((m) => m.senderType === 'app');
    expect(after.length).toBeGreaterThan(before);
    expect(JSON.stringify(after.at(-1)!.card)).toContain('发起申报');
  });

  it('takes the documented image message without error', async () => {
    const env = await message('im.message.receive_v1.image.json', { chatId: unit().chatId, sender: liaison(), image: true });
    const r = await dispatch(env);
    expect(r.duplicate).toBe(false);
    expect(await processed(idOf(env))).toBe(1);
  });

  it('asks which unit a newly added group is, and marks a removed group as left', async () => {
    const chat = h.emulator.createChat({ name: '群名称测试', memberOpenIds: [h.demo.coordinatorOpenId], botMember: true });
    const added = copy(load('im.chat.member.bot.added_v1.json').payload);
    (added.event as { chat_id: string }).chat_id = chat.chatId;
    (added.event as { operator_id: { open_id: string } }).operator_id.open_id = h.demo.coordinatorOpenId;
    await dispatch(added);
    await h.drainOutbox();
    expect(h.lastCard(chat.chatId)).toBeDefined();
    expect(await h.db.groupChat.findUnique({ where: { chatId: chat.chatId } })).not.toBeNull();

    const removed = copy(load('im.chat.member.bot.deleted_v1.json').payload);
    (removed.event as { chat_id: string }).chat_id = unit().chatId;
    // Both pages reuse one sample event_id; real pushes never share one.
    removed.header.event_id = `${removed.header.event_id}-removed`;
    await dispatch(removed);
    expect((await h.db.groupChat.findUniqueOrThrow({ where: { chatId: unit().chatId } })).status).toBe('left');
  });

  it('answers the documented card callback (an action this bot never sent) with a Chinese toast', async () => {
    const env = copy(load('card.action.trigger.form.json').payload);
    (env.event as { operator: { open_id: string } }).operator.open_id = h.demo.coordinatorOpenId;
    const r = await dispatch(env);
    expect(r.response.toast?.content).toMatch(/[\u4e00-\u9fa5]/);
    expect(r.response.card).toBeUndefined();
  });

  it('processes the documented message pushed signed and encrypted to the webhook', async () => {
    const env = await message('im.message.receive_v1.group-mention.json', { chatId: h.demo.officeChatId, sender: h.demo.coordinatorOpenId, mentionBot: true });
    const id = idOf(env);
    env.header.token = h.verificationToken;
    const raw = JSON.stringify({ encrypt: encryptPayload(JSON.stringify(env), h.encryptKey) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = 'doc-fixture';
    const res = await fetch(`${h.url}/feishu/events`, {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signPayload(timestamp, nonce, h.encryptKey, raw) },
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5000;
    while ((await processed(id)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await processed(id)).toBe(1);
    // The same bytes with a signature made with another key are refused.
    const forged = await fetch(`${h.url}/feishu/events`, {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signPayload(timestamp, nonce, 'test key', raw) },
    });
    expect(forged.status).not.toBe(200);
  });
});
