// The emulator's long connection against the SDK's own WSClient: endpoint discovery, protobuf frames
// (checked against the codec the SDK bundles), ping/pong carrying ClientConfig, events split into
// sum/seq fragments, card callbacks answered with the ack's data, the 3 s ack deadline, drops and
// reconnects, and the scope fault (99991672).
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Frame } from '../../src/emulator/ws-frame.ts';
import { APP_ID, APP_SECRET, GROUP, USERS, card, errorOf, sleep, startEmulator, type Started } from './support.ts';

// The SDK registers its generated pbbp2 codec on protobufjs's default root when it loads.
const protobuf = createRequire(import.meta.url)('protobufjs/minimal') as { roots: Record<string, { pbbp2: { Frame: { encode(f: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): Record<string, unknown> } } }> };
const sdkFrame = () => protobuf.roots.default!.pbbp2.Frame;

let s: Started | undefined;
let client: lark.WSClient | undefined;
afterEach(async () => {
  client?.close({ force: true });
  client = undefined;
  await s?.close();
  s = undefined;
});

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

async function connect(handlers: Record<string, (data: Record<string, unknown>) => unknown>, opts: Parameters<typeof startEmulator>[0] = {}) {
  s = await startEmulator({ eventMode: 'ws', wsClientConfig: { ReconnectInterval: 1, ReconnectNonce: 0 }, ...opts });
  const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register(handlers as Parameters<lark.EventDispatcher['register']>[0]);
  client = new lark.WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: s.url, logger: silent, loggerLevel: lark.LoggerLevel.error });
  await client.start({ eventDispatcher: dispatcher });
  await s.emu.longConnection.waitForConnection(5000);
  return s;
}

describe('frame codec', () => {
  it('encodes and decodes exactly like the SDK bundled pbbp2.Frame', () => {
    expect(lark.Domain.Feishu).toBe(0); // the SDK module (and its codec) is loaded
    const frame: Frame = {
      SeqID: 7,
      LogID: 2 ** 40,
      service: 33554678,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: 'm-1' },
        { key: 'sum', value: '2' },
        { key: 'seq', value: '0' },
      ],
      payload: new TextEncoder().encode('{"中文":"负载"}'),
      LogIDNew: 'trace_0',
    };
    const ours = encodeFrame(frame);
    const theirs = sdkFrame().encode(frame).finish();
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    const back = sdkFrame().decode(ours);
    expect(back.headers).toEqual(frame.headers.map((h) => expect.objectContaining(h)));
    expect(decodeFrame(theirs)).toEqual(frame);
  });
});

describe('endpoint /callback/ws/endpoint', () => {
  it('answers the SDK request shape: URL with device_id and service_id, ClientConfig in seconds', async () => {
    s = await startEmulator({ eventMode: 'ws' });
    const post = (body: unknown) =>
      fetch(`${s!.url}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json', locale: 'zh' }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ code: number; msg: string; data: { URL?: string; ClientConfig?: Record<string, number> } }>,
      );
    const ok = await post({ AppID: APP_ID, AppSecret: APP_SECRET });
    expect(ok.code).toBe(0);
    const url = new URL(ok.data.URL!);
    expect(url.protocol).toBe('ws:');
    expect(url.pathname).toBe('/ws/v2');
    expect(url.searchParams.get('device_id')).toMatch(/^\d+$/);
    expect(url.searchParams.get('service_id')).toMatch(/^\d+$/);
    expect(ok.data.ClientConfig).toEqual({ PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 });
    const bad = await post({ AppID: APP_ID, AppSecret: 'wrong' });
    expect(bad.code).toBe(514);
    // A ticket is good for one handshake only.
    const open = (u: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u);
        ws.on('open', () => {
          ws.terminate();
          resolve('open');
        });
        ws.on('error', (e) => resolve(e.message));
      });
    expect(await open(ok.data.URL!)).toBe('open');
    expect(await open(ok.data.URL!)).toContain('403');
  });
});

describe('events and callbacks over the connection', () => {
  it('delivers a message event split into fragments; the SDK merges and acks it', async () => {
    const got: Record<string, unknown>[] = [];
    await connect({ 'im.message.receive_v1': (d) => void got.push(d) }, { wsFragmentBytes: 200 });
    const r = await s!.emu.userSendText(USERS.xs.openId, GROUP, '长连接收到了吗？'.repeat(10), { mentionBot: true });
    expect(r.delivery.status).toBe('acked');
    expect(got).toHaveLength(1);
    expect(JSON.stringify(got[0])).toContain('长连接收到了吗？');
    const out = s!.emu.longConnection.frames().filter((f) => f.direction === 'out' && f.type === 'event');
    expect(out.length).toBeGreaterThan(2);
    expect(out.every((f) => f.sum === out.length)).toBe(true);
    expect(out.map((f) => f.seq)).toEqual(out.map((_, i) => i));
    const acks = s!.emu.longConnection.frames().filter((f) => f.direction === 'in' && f.type === 'event');
    expect(acks).toHaveLength(1);
    expect(acks[0]!.messageId).toBe(out[0]!.messageId);
  });

  it('answers a card callback with what the client put in its ack', async () => {
    await connect({
      'card.action.trigger': (d) => ({
        toast: { type: 'success', content: `收到 ${String((d.action as { value: { n: number } }).value.n)}` },
        card: { type: 'raw', data: card([{ tag: 'markdown', content: '已更新' }]) },
      }),
    });
    const sent = await s!.client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(card([{ tag: 'button', text: { tag: 'plain_text', content: '点我' }, behaviors: [{ type: 'callback', value: { n: 1 } }] }])) },
    });
    const messageId = sent.data!.message_id!;
    const r = await s!.emu.userClickCard(USERS.xs.openId, messageId, { value: { n: 42 } });
    expect(r.error).toBeUndefined();
    expect(r.toast).toEqual({ type: 'success', content: '收到 42' });
    expect(r.cardReplaced).toBe(true);
    expect(JSON.stringify(s!.emu.message(messageId)!.card)).toContain('已更新');
  });

  it('counts a callback not acked within the deadline as failed (200341) and an error ack as 200671', async () => {
    let mode: 'slow' | 'throw' = 'slow';
    await connect(
      {
        'card.action.trigger': async () => {
          if (mode === 'throw') throw new Error('boom');
          await sleep(600);
          return { toast: { type: 'info', content: '太慢了' } };
        },
      },
      { ackTimeoutMs: 300 },
    );
    const sent = await s!.client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(card([{ tag: 'button', text: { tag: 'plain_text', content: '点我' }, behaviors: [{ type: 'callback', value: { n: 1 } }] }])) },
    });
    const slow = await s!.emu.userClickCard(USERS.xs.openId, sent.data!.message_id!, { value: { n: 1 } });
    expect(slow.error).toBe('200341');
    await sleep(400);
    mode = 'throw';
    const thrown = await s!.emu.userClickCard(USERS.xs.openId, sent.data!.message_id!, { value: { n: 1 } });
    // The SDK's CardActionHandler is not involved: the EventDispatcher rethrows, the SDK acks code 500.
    expect(thrown.error).toBe('200671');
    expect(thrown.httpStatus).toBe(500);
  });

  it('fails a callback at once (200342) when the connection drops before the ack', async () => {
    await connect({
      'card.action.trigger': async () => {
        await sleep(1500);
        return {};
      },
    });
    const sent = await s!.client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(card([{ tag: 'button', text: { tag: 'plain_text', content: '点我' }, behaviors: [{ type: 'callback', value: { n: 1 } }] }])) },
    });
    const click = s!.emu.userClickCard(USERS.xs.openId, sent.data!.message_id!, { value: { n: 1 } });
    await sleep(200);
    s!.emu.longConnection.drop();
    const r = await click;
    expect(r.error).toBe('200342');
    expect(r.ms).toBeLessThan(1500);
  });

  it('answers pings with pongs carrying ClientConfig', async () => {
    await connect({}, { wsClientConfig: { PingInterval: 1, ReconnectInterval: 1, ReconnectNonce: 0 } });
    await sleep(1300);
    const frames = s!.emu.longConnection.frames();
    expect(frames.filter((f) => f.direction === 'in' && f.type === 'ping').length).toBeGreaterThanOrEqual(2);
    expect(frames.filter((f) => f.direction === 'out' && f.type === 'pong').length).toBeGreaterThanOrEqual(2);
    expect(s!.emu.longConnection.connections()[0]!.pings).toBeGreaterThanOrEqual(2);
  });

  it('a dropped connection reconnects; events sent while down fail and are re-delivered', async () => {
    const got: string[] = [];
    await connect({ 'im.message.receive_v1': (d) => void got.push(String((d.message as { message_id: string }).message_id)) }, { redeliveryDelaysMs: [300, 2500] });
    const lc = s!.emu.longConnection;
    expect(lc.handshakes).toBe(1);
    lc.drop({ refuse: true });
    const r = await s!.emu.userSendText(USERS.xs.openId, GROUP, '断线时发的', { mentionBot: true });
    expect(r.delivery.status).toBe('failed');
    expect(r.delivery.error).toBe('no long connection is open');
    while (s!.emu.deliveries().filter((d) => d.eventId === r.delivery.eventId).length < 2) await sleep(20);
    lc.refuse(false);
    await lc.waitForConnection(5000);
    await s!.emu.idle();
    expect(lc.handshakes).toBe(2);
    expect(got).toEqual([r.messageId]);
    const attempts = s!.emu.deliveries().filter((d) => d.eventId === r.delivery.eventId);
    expect(attempts.map((d) => d.ok)).toEqual([false, false, true]);
  });
});

describe('scope faults', () => {
  it('answers 99991672 naming the scopes when none of an API scopes is granted', async () => {
    s = await startEmulator({ missingScopes: ['im:message.urgent'] });
    const sent = await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: '加急' }) } });
    const e = await s.client.im.v1.message.urgentApp({ path: { message_id: sent.data!.message_id! }, params: { user_id_type: 'open_id' }, data: { user_id_list: [USERS.xs.openId] } }).catch((err: unknown) => err);
    const err = errorOf(e);
    expect(err.code).toBe(99991672);
    expect(err.msg).toContain('[im:message.urgent]');
    expect(err.msg).toContain(`https://open.feishu.cn/app/${APP_ID}/auth?q=im%3Amessage.urgent`);
    // Revoking one of several alternatives is not enough to fail.
    s.emu.faults.scope('im:message', false);
    const ok = await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: '还能发' }) } });
    expect(ok.code).toBe(0);
  });
});

describe('faults through the workspace API', () => {
  it('revokes a scope and cuts the long connection', async () => {
    await connect({});
    const post = (body: unknown) => fetch(`${s!.url}/_emulator/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ scopes: { 'calendar:calendar': false } })).status).toBe(200);
    const e = await s!.client.calendar.v4.calendar.create({ data: { summary: 'x' } }).catch((err: unknown) => err);
    expect(errorOf(e).code).toBe(99991672);
    await post({ scopes: { 'calendar:calendar': true } });
    expect((await s!.client.calendar.v4.calendar.create({ data: { summary: 'x' } })).code).toBe(0);

    expect((await post({ longConnection: 'refuse' })).status).toBe(200);
    expect(s!.emu.longConnection.connections()).toEqual([]);
    await post({ longConnection: 'accept' });
    await s!.emu.longConnection.waitForConnection(5000);
    expect(s!.emu.longConnection.handshakes).toBe(2);
    expect((await post({ longConnection: 'sideways' })).status).toBe(400);
  });
});
