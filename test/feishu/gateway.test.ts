// Error classification (what the outbox may retry) and the gateway against the emulator through
// the real SDK: 429 with reset, HTTP 400 + 99991400, 5xx, accept-then-drop, refused connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, createFeishuGateway, kindOfCode } from '../../src/adapters/feishu/gateway.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import type { Emulator } from '../../src/emulator/types.ts';
import { FeishuApiError } from '../../src/ports/feishu.ts';

const axiosError = (status: number, data: unknown, headers: Record<string, string> = {}) => ({ isAxiosError: true, message: `Request failed with status code ${status}`, response: { status, data, headers } });

describe('classifyError', () => {
  it.each([
    ['HTTP 429 + 99991400', axiosError(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '7' }), 'rate_limit', 7],
    ['HTTP 400 + 99991400 (legacy)', axiosError(400, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '3' }), 'rate_limit', 3],
    ['HTTP 400 + 230020', axiosError(400, { code: 230020, msg: 'frequency limit' }), 'rate_limit', undefined],
    ['HTTP 502', axiosError(502, 'bad gateway'), 'transient', undefined],
    ['HTTP 400 + 230002 bot not in chat', axiosError(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }), 'permanent', undefined],
    ['HTTP 400 + 230099 bad card', axiosError(400, { code: 230099, msg: 'Failed to create card content, ext=ErrCode: 200621' }), 'permanent', undefined],
    ['HTTP 403 + 99991672 no scope', axiosError(403, { code: 99991672, msg: 'Access denied' }), 'permanent', undefined],
    ['socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ambiguous', undefined],
    ['axios timeout', Object.assign(new Error('timeout of 15000ms exceeded'), { code: 'ECONNABORTED' }), 'ambiguous', undefined],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'transient', undefined],
    ['read ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'transient', undefined],
  ])('%s', (_name, error, kind, retryAfter) => {
    const e = classifyError(error, 'test');
    expect(e).toBeInstanceOf(FeishuApiError);
    expect(e.kind).toBe(kind);
    expect(e.retryAfterSeconds).toBe(retryAfter);
  });

  it('keeps code and message of permanent errors; token errors are retried', () => {
    const e = classifyError(axiosError(400, { code: 230001, msg: 'invalid receive_id' }), 'im.message.create');
    expect(e.code).toBe(230001);
    expect(e.message).toContain('invalid receive_id');
    expect(kindOfCode(99991663)).toBe('transient');
    for (const code of [230001, 230002, 230013, 230017, 230025, 230027, 230034, 230035, 230053, 232009]) expect(kindOfCode(code)).toBe('permanent');
  });
});

describe('gateway through the emulator', () => {
  let emulator: Emulator;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    emulator = createEmulator({ appId: 'cli_gw00000000000000', appSecret: 's', rateLimits: false });
    emulator.seed({ users: [{ openId: 'ou_a', name: '甲' }], chats: [{ chatId: 'oc_g', name: 'g', memberOpenIds: ['ou_a'], botMember: true }] });
    server = await emulator.listen(0);
  });
  afterAll(async () => {
    await server?.close();
  });
  const gw = () => createFeishuGateway({ appId: 'cli_gw00000000000000', appSecret: 's', domain: server.url, timeoutMs: 3000 });

  it('sends, replies, patches, uploads and knows the bot', async () => {
    const g = gw();
    const card = { schema: '2.0', config: { update_multi: true }, body: { elements: [{ tag: 'markdown', content: 'hi' }] } } as const;
    // the other test in this file also sends to oc_g: count from here (tests run in any order)
    const before = emulator.messages('oc_g').length;
    const { messageId } = await g.sendMessage({ receiveIdType: 'chat_id', receiveId: 'oc_g', msgType: 'interactive', content: JSON.stringify(card), uuid: 'gw:1' });
    const again = await g.sendMessage({ receiveIdType: 'chat_id', receiveId: 'oc_g', msgType: 'interactive', content: JSON.stringify(card), uuid: 'gw:1' });
    expect(again.messageId).toBe(messageId);
    expect(emulator.messages('oc_g')).toHaveLength(before + 1);
    await g.replyMessage({ messageId, msgType: 'text', content: JSON.stringify({ text: '回复' }) });
    await g.patchCard({ messageId, card: { ...card, body: { elements: [{ tag: 'markdown', content: 'v2' }] } } });
    expect(emulator.message(messageId)?.updateCount).toBe(1);
    const { fileKey } = await g.uploadFile({ fileName: '汇总.xlsx', fileType: 'xls', data: Buffer.from('abc') });
    expect(fileKey).toBeTruthy();
    expect((await g.botInfo()).openId).toBe(emulator.botOpenId);
    expect(await g.tokenHealthy()).toBe(true);
    expect((await g.listChatMembers('oc_g')).map((m) => m.openId)).toContain('ou_a');
  });

  it('maps emulator faults to failure kinds', async () => {
    const g = gw();
    const send = () => g.sendMessage({ receiveIdType: 'chat_id', receiveId: 'oc_g', msgType: 'text', content: JSON.stringify({ text: 'x' }) });
    const kindOf = async () =>
      send().then(
        () => 'ok',
        (e: FeishuApiError) => `${e.kind}:${e.retryAfterSeconds ?? ''}`,
      );
    emulator.faults.route('/open-apis/im/v1/messages', { rateLimit429: 1, resetSeconds: 4, times: 1 }, 'POST');
    expect(await kindOf()).toBe('rate_limit:4');
    emulator.faults.route('/open-apis/im/v1/messages', { error5xx: 1, times: 1 }, 'POST');
    expect(await kindOf()).toBe('transient:');
    emulator.faults.route('/open-apis/im/v1/messages', { drop: 1, dropAfterEffect: true, times: 1 }, 'POST');
    expect(await kindOf()).toBe('ambiguous:');
    emulator.faults.reset();
    const bad = await g.sendMessage({ receiveIdType: 'chat_id', receiveId: 'oc_missing', msgType: 'text', content: '{"text":"x"}' }).catch((e: FeishuApiError) => e);
    expect(bad).toBeInstanceOf(FeishuApiError);
    expect((bad as FeishuApiError).kind).toBe('permanent');
    const refused = createFeishuGateway({ appId: 'cli_gw00000000000000', appSecret: 's', domain: 'http://127.0.0.1:1' });
    const e = await refused.sendMessage({ receiveIdType: 'chat_id', receiveId: 'oc_g', msgType: 'text', content: '{}' }).catch((x: FeishuApiError) => x);
    expect((e as FeishuApiError).kind).toBe('transient');
    expect(await refused.tokenHealthy()).toBe(false);
  });
});
