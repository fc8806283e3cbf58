// Webhook authenticity and exactly-once processing, by POSTing crafted requests to the real app
// (docs/reliability.md §9 A1–A7, D1–D2). Signatures are computed here from the spec, not by the app.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_UNDER_TEST } from '../support/db.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { pingFeature } from '../app/ping-feature.ts';

function encrypt(plain: string, key: string): string {
  const k = createHash('sha256').update(key).digest();
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', k, iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

function sign(ts: string, nonce: string, key: string, raw: string): string {
  return createHash('sha256')
    .update(ts + nonce + key + raw)
    .digest('hex');
}

let seq = 0;
function messageEnvelope(h: Harness, o: { token?: string; messageId?: string; eventId?: string; text?: string } = {}) {
  const unit = h.demo.units[0]!;
  seq++;
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? `ev_${seq}_${randomBytes(4).toString('hex')}`,
      event_type: 'im.message.receive_v1',
      token: o.token ?? h.verificationToken,
      create_time: String(Date.now()),
      app_id: h.app.config.feishu.appId,
      tenant_key: 't',
    },
    event: {
      sender: { sender_id: { open_id: unit.liaisons[0]!.openId }, sender_type: 'user', tenant_key: 't' },
      message: {
        message_id: o.messageId ?? `om_test_${seq}_${randomBytes(4).toString('hex')}`,
        create_time: String(Date.now()),
        chat_id: unit.chatId,
        chat_type: 'group',
        message_type: 'text',
        content: JSON.stringify({ text: `@_user_1 ${o.text ?? 'ping hi'}` }),
        mentions: [{ key: '@_user_1', id: { open_id: h.emulator.botOpenId }, name: '主题日助手', tenant_key: 't' }],
      },
    },
  };
}

interface PostOptions {
  ts?: number;
  key?: string;
  encrypted?: boolean;
  raw?: string;
  tamper?: boolean;
  noSignature?: boolean;
  path?: string;
}

async function post(h: Harness, body: unknown, o: PostOptions = {}): Promise<Response> {
  const key = o.key ?? h.encryptKey;
  const raw = o.raw ?? (o.encrypted === false ? JSON.stringify(body) : JSON.stringify({ encrypt: encrypt(JSON.stringify(body), key) }));
  const ts = String(Math.floor((o.ts ?? Date.now()) / 1000));
  const nonce = randomBytes(8).toString('hex');
  let signature = sign(ts, nonce, key, raw);
  if (o.tamper) signature = signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!o.noSignature) Object.assign(headers, { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature });
  return fetch(`${h.url}${o.path ?? '/feishu/events'}`, { method: 'POST', headers, body: raw });
}

describe.each(PROVIDERS_UNDER_TEST)('webhook security (%s)', (provider) => {
  let h: Harness;
  // Events are acknowledged into the inbox and processed right after: wait for that before counting.
  const processed = async (messageId: string) => {
    await h.app.inbox.idle();
    return h.db.processedEvent.count({ where: { eventId: `msg:${messageId}` } });
  };
  const pongs = (messageId: string) => h.db.outboxMessage.count({ where: { idempotencyKey: `pong:${messageId}` } });

  beforeAll(async () => {
    h = await startHarness({ provider, features: pingFeature });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('accepts a correctly signed, encrypted event and processes it', async () => {
    const env = messageEnvelope(h);
    const res = await post(h, env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await processed(env.event.message.message_id)).toBe(1);
    expect(await pongs(env.event.message.message_id)).toBe(1);
  });

  it('rejects a forged signature with 401 and processes nothing', async () => {
    const env = messageEnvelope(h);
    const res = await post(h, env, { tamper: true });
    expect(res.status).toBe(401);
    expect(await processed(env.event.message.message_id)).toBe(0);
  });

  it('rejects a body signed with another key, and a request without signature headers', async () => {
    const env = messageEnvelope(h);
    expect((await post(h, env, { key: 'not-the-key' })).status).toBe(401);
    expect((await post(h, env, { noSignature: true })).status).toBe(401);
    expect(await processed(env.event.message.message_id)).toBe(0);
  });

  it('rejects stale and future timestamps (±10 min) even when correctly signed', async () => {
    const env = messageEnvelope(h);
    expect((await post(h, env, { ts: Date.now() - 10 * 60_000 })).status).toBe(401);
    expect((await post(h, env, { ts: Date.now() + 10 * 60_000 })).status).toBe(401);
    expect(await processed(env.event.message.message_id)).toBe(0);
    // inside the window is fine
    expect((await post(h, env, { ts: Date.now() - 60_000 })).status).toBe(200);
  });

  it('rejects a signed, encrypted envelope carrying the wrong verification token', async () => {
    const env = messageEnvelope(h, { token: 'wrong-token' });
    expect((await post(h, env)).status).toBe(401);
    expect(await processed(env.event.message.message_id)).toBe(0);
  });

  it('rejects an undecryptable body', async () => {
    const raw = JSON.stringify({ encrypt: randomBytes(48).toString('base64') });
    expect((await post(h, null, { raw })).status).toBe(401);
  });

  it('answers url_verification only with the right token, and never dispatches it', async () => {
    await h.app.inbox.idle(); // an event another test acknowledged may still be in the inbox
    const before = await h.db.processedEvent.count();
    const ok = await post(h, { type: 'url_verification', challenge: 'ch_123', token: h.verificationToken });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: 'ch_123' });
    const wrong = await post(h, { type: 'url_verification', challenge: 'ch_123', token: 'nope' });
    expect(wrong.status).toBe(401);
    // a challenge that smuggles an event is still only a challenge
    const env = messageEnvelope(h);
    const smuggled = await post(h, { ...env, type: 'url_verification', challenge: 'ch_x', token: h.verificationToken });
    expect(await smuggled.json()).toEqual({ challenge: 'ch_x' });
    expect(await processed(env.event.message.message_id)).toBe(0);
    expect(await h.db.processedEvent.count()).toBe(before);
  });

  it('accepts non-canonical JSON because the raw bytes are hashed', async () => {
    const env = messageEnvelope(h);
    const enc = encrypt(JSON.stringify(env), h.encryptKey);
    const raw = `{\n  "encrypt" :   "${enc}"  \n}`;
    expect((await post(h, null, { raw })).status).toBe(200);
    expect(await processed(env.event.message.message_id)).toBe(1);
    // signed plaintext with \u escapes, odd spacing and key order
    const env2 = messageEnvelope(h);
    const raw2 = JSON.stringify({ event: env2.event, header: env2.header, schema: '2.0' }, null, 3).replace(/主题日助手/g, '\\u4e3b\\u9898\\u65e5\\u52a9\\u624b');
    expect((await post(h, null, { raw: raw2 })).status).toBe(200);
    expect(await processed(env2.event.message.message_id)).toBe(1);
    // one changed byte breaks it
    const env3 = messageEnvelope(h);
    const raw3 = JSON.stringify(env3);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = sign(ts, 'n', h.encryptKey, raw3);
    const res = await fetch(`${h.url}/feishu/events`, { method: 'POST', headers: { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': sig }, body: raw3.replace('ping hi', 'ping hI') });
    expect(res.status).toBe(401);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const raw = JSON.stringify({ encrypt: 'x'.repeat(2 * 1024 * 1024) });
    const res = await post(h, null, { raw });
    expect(res.status).toBe(413);
  });

  it('processes a replayed request once, also 10 concurrent copies and a re-push under a new event id', async () => {
    const env = messageEnvelope(h);
    const enc = JSON.stringify({ encrypt: encrypt(JSON.stringify(env), h.encryptKey) });
    const results = await Promise.all(Array.from({ length: 10 }, () => post(h, null, { raw: enc })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await post(h, null, { raw: enc })).status).toBe(200);
    const again = messageEnvelope(h, { messageId: env.event.message.message_id });
    expect((await post(h, again)).status).toBe(200);
    expect(await processed(env.event.message.message_id)).toBe(1);
    expect(await pongs(env.event.message.message_id)).toBe(1);
  });

  it('card callbacks: verified like events, answered with toast + raw card', async () => {
    const unit = h.demo.units[0]!;
    const envelope = {
      schema: '2.0',
      header: { event_id: `cb_${randomBytes(6).toString('hex')}`, event_type: 'card.action.trigger', token: h.verificationToken, create_time: String(Date.now() * 1000), app_id: 'a', tenant_key: 't' },
      event: { operator: { open_id: unit.liaisons[0]!.openId }, token: 'c-123', action: { value: { a: 'test.click', n: 3 }, tag: 'button' }, host: 'im_message', context: { open_message_id: 'om_x', open_chat_id: unit.chatId } },
    };
    const res = await post(h, envelope, { path: '/feishu/cards' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { toast?: { content: string }; card?: { type: string; data: { schema: string } } };
    expect(body.toast?.content).toBe('已收到 3');
    expect(body.card?.type).toBe('raw');
    expect(body.card?.data.schema).toBe('2.0');
    expect((await post(h, envelope, { path: '/feishu/cards', tamper: true })).status).toBe(401);
  });
});
