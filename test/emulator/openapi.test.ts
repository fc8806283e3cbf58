// The emulator's Open API, exercised through the real SDK over HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { VirtualRateTime } from '../../src/ports/rate-time.ts';
import { GROUP, NO_BOT_GROUP, USERS, card, rejection, sdkClient, simpleCard, startBot, startEmulator, type Started, type TestBot } from './support.ts';

let s: Started;
beforeEach(async () => {
  s = await startEmulator();
});
afterEach(async () => {
  await s.close();
});

const sendCard = (c: Record<string, unknown>, chatId = GROUP, uuid?: string) =>
  s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(c), ...(uuid ? { uuid } : {}) } });

describe('auth', () => {
  it('issues a tenant token and reuses it while it is fresh', async () => {
    await s.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' });
    const calls = s.emu.calls({ path: /tenant_access_token/ });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.code).toBe(0);
    const res = await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: s.emu.options.appId, app_secret: s.emu.options.appSecret }),
    });
    const body = (await res.json()) as { tenant_access_token: string; expire: number };
    expect(body.tenant_access_token).toMatch(/^t-/);
    expect(body.expire).toBeGreaterThan(7000);
  });

  it('rejects a wrong secret and requests without a valid token', async () => {
    const bad = sdkClient(s.url, 'wrong');
    await expect(bad.im.v1.chat.get({ path: { chat_id: GROUP } })).rejects.toThrow();
    const missing = await fetch(`${s.url}/open-apis/im/v1/chats/${GROUP}`);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { code: number }).code).toBe(99991661);
    const invalid = await fetch(`${s.url}/open-apis/im/v1/chats/${GROUP}`, { headers: { authorization: 'Bearer t-nope' } });
    expect(((await invalid.json()) as { code: number }).code).toBe(99991663);
  });

  it('bot info returns the bot open_id', async () => {
    const res = (await s.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as { code: number; bot: { open_id: string; app_name: string } };
    expect(res.code).toBe(0);
    expect(res.bot.open_id).toBe(s.emu.botOpenId);
    expect(res.bot.app_name).toBe('主题日助手');
  });
});

describe('messages', () => {
  it('sends text and cards to a chat and to an open_id (p2p chat)', async () => {
    const text = await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: '大家好' }) } });
    expect(text.code).toBe(0);
    expect(text.data?.message_id).toMatch(/^om_/);
    expect(text.data?.sender?.sender_type).toBe('app');
    const c = await sendCard(simpleCard());
    expect(c.code).toBe(0);
    const msgs = s.emu.messages(GROUP);
    expect(msgs.map((m) => m.msgType)).toEqual(['text', 'interactive']);
    expect(msgs[1]?.card).toEqual(simpleCard());

    const dm = await s.client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: USERS.xs.openId, msg_type: 'text', content: JSON.stringify({ text: '提醒' }) } });
    expect(dm.data?.chat_id).toBe(s.emu.p2pChatId(USERS.xs.openId));
    expect(s.emu.messages(s.emu.p2pChatId(USERS.xs.openId))).toHaveLength(1);
  });

  it('rejects bad receivers and chats without the bot', async () => {
    const notInChat = await rejection(s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: NO_BOT_GROUP, msg_type: 'text', content: JSON.stringify({ text: 'x' }) } }));
    expect(notInChat).toMatchObject({ status: 400, code: 230002 });
    const unknown = await rejection(s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_doesnotexist', msg_type: 'text', content: JSON.stringify({ text: 'x' }) } }));
    expect(unknown.code).toBe(230001);
    const wrongType = await rejection(s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: USERS.xs.openId, msg_type: 'text', content: JSON.stringify({ text: 'x' }) } }));
    expect(wrongType.code).toBe(230034);
  });

  it('dedupes by uuid within an hour: same message back, nothing new sent', async () => {
    const a = await sendCard(simpleCard('一'), GROUP, 'rem:1:2026-05-01');
    const b = await sendCard(simpleCard('二'), GROUP, 'rem:1:2026-05-01');
    expect(b.data?.message_id).toBe(a.data?.message_id);
    expect(s.emu.messages(GROUP)).toHaveLength(1);
    expect(s.emu.messages(GROUP)[0]?.card).toEqual(simpleCard('一'));
  });

  it('answers 230099 with a sub-code for an invalid card and 230025 for a huge one', async () => {
    const bad = await rejection(sendCard(card([{ tag: 'markdown', content: 'x', colour: 'red' }])));
    expect(bad.code).toBe(230099);
    expect(bad.msg).toMatch(/ErrCode: 200621/);
    expect(bad.msg).toMatch(/colour/);
    const big = await rejection(sendCard(card([{ tag: 'markdown', content: '字'.repeat(11_000) }])));
    expect(big.code).toBe(230025);
    expect(s.emu.messages(GROUP)).toHaveLength(0);
  });

  it('replies, patches own cards (2.0 only), and keeps the history', async () => {
    const { messageId } = await s.emu.userSendText(USERS.xs.openId, GROUP, '请问截止时间？');
    const reply = await s.client.im.v1.message.reply({ path: { message_id: messageId }, data: { msg_type: 'interactive', content: JSON.stringify(simpleCard('周五')) } });
    expect(reply.code).toBe(0);
    const replyId = reply.data?.message_id ?? '';
    expect(s.emu.message(replyId)?.parentId).toBe(messageId);

    const patched = await s.client.im.v1.message.patch({ path: { message_id: replyId }, data: { content: JSON.stringify(simpleCard('周六')) } });
    expect(patched.code).toBe(0);
    const m = s.emu.message(replyId);
    expect(m?.updateCount).toBe(1);
    expect(m?.history[0]?.card).toEqual(simpleCard('周五'));
    expect(m?.card).toEqual(simpleCard('周六'));

    const downgrade = await rejection(s.client.im.v1.message.patch({ path: { message_id: replyId }, data: { content: JSON.stringify({ elements: [] }) } }));
    expect(downgrade.code).toBe(230099);
    const notOwn = await rejection(s.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(simpleCard()) } }));
    expect(notOwn.code).toBe(230027);
  });

  it('limits patch to 5 QPS per message (230020)', async () => {
    const sent = await sendCard(simpleCard());
    const id = sent.data?.message_id ?? '';
    const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => s.client.im.v1.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(simpleCard(`v${i}`)) } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(s.emu.calls({ path: /im\/v1\/messages\/om_/ }).filter((c) => c.code === 230020)).toHaveLength(2);
  });

  it('sends urgent_app to members and reports the others as invalid', async () => {
    const sent = await sendCard(simpleCard());
    const id = sent.data?.message_id ?? '';
    const res = await s.client.im.v1.message.urgentApp({ path: { message_id: id }, params: { user_id_type: 'open_id' }, data: { user_id_list: [USERS.xs.openId, USERS.outsider.openId] } });
    expect(res.code).toBe(0);
    expect(res.data?.invalid_user_id_list).toEqual([USERS.outsider.openId]);
    expect(s.emu.message(id)?.urgentRecipients).toEqual([USERS.xs.openId]);
    const allInvalid = await rejection(s.client.im.v1.message.urgentApp({ path: { message_id: id }, params: { user_id_type: 'open_id' }, data: { user_id_list: [USERS.outsider.openId] } }));
    expect(allInvalid.code).toBe(230001);
  });

  it('lists chat history in a time window with paging', async () => {
    for (let i = 0; i < 3; i += 1) await s.emu.userSendText(USERS.xs.openId, GROUP, `第${i}条`);
    const start = Math.floor(Date.now() / 1000) - 60;
    const page1 = await s.client.im.v1.message.list({ params: { container_id_type: 'chat', container_id: GROUP, start_time: String(start), page_size: 2 } });
    expect(page1.data?.items).toHaveLength(2);
    expect(page1.data?.has_more).toBe(true);
    const page2 = await s.client.im.v1.message.list({ params: { container_id_type: 'chat', container_id: GROUP, start_time: String(start), page_size: 2, page_token: page1.data?.page_token ?? '' } });
    expect(page2.data?.items?.map((m) => JSON.parse(m.body?.content ?? '{}') as { text: string })).toEqual([{ text: '第2条' }]);
  });
});

describe('rate limits', () => {
  it('5 QPS per chat → 230020', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: 'x' }) } })));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(s.emu.calls({ path: /^\/open-apis\/im\/v1\/messages$/ }).filter((c) => c.code === 230020)).toHaveLength(1);
  });

  it('app-level QPS → HTTP 429 / 99991400 with reset headers', async () => {
    await s.close();
    s = await startEmulator({ rateLimits: { appQps: 10 } });
    let error: unknown;
    let okCount = 0;
    for (let i = 0; i < 30 && error === undefined; i += 1) {
      await s.client.im.v1.chat.get({ path: { chat_id: GROUP } }).then(
        () => (okCount += 1),
        (e: unknown) => (error = e),
      );
    }
    expect(okCount).toBeGreaterThanOrEqual(10);
    const first = await rejection(Promise.reject(error));
    expect(first.status).toBe(429);
    expect(first.code).toBe(99991400);
    expect(first.headers['x-ogw-ratelimit-limit']).toBe('10');
    expect(Number(first.headers['x-ogw-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
  });

  it('counts its windows on an injected rate timeline (the simulated year shares one with the outbox)', async () => {
    await s.close();
    const time = new VirtualRateTime(() => 0); // moves only when someone sleeps on it
    s = await startEmulator({ rateTime: time, rateLimits: { appQps: 10 } });
    const send = () => s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: 'x' }) } });
    const first = await Promise.allSettled(Array.from({ length: 6 }, send));
    // however long the calls took in wall time, they all landed at 0 on the timeline
    expect(first.filter((r) => r.status === 'rejected')).toHaveLength(1);
    await time.sleep(999);
    expect((await rejection(send())).code).toBe(230020);
    await time.sleep(1);
    expect((await Promise.allSettled(Array.from({ length: 5 }, send))).every((r) => r.status === 'fulfilled')).toBe(true);
    // the app's window: 10 calls on the timeline's second (1000–1999) → 429, reset counted on the timeline
    for (let i = 0; i < 10; i++) await s.client.im.v1.chat.get({ path: { chat_id: GROUP } }).catch(() => undefined);
    const refused = await rejection(s.client.im.v1.chat.get({ path: { chat_id: GROUP } }));
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ogw-ratelimit-reset']).toBe('1');
  });

  it('injected 429 fault carries the configured reset', async () => {
    s.emu.faults.route('/open-apis/im/v1/messages', { rateLimit429: 1, resetSeconds: 7, times: 1 }, 'POST');
    const e = await rejection(sendCard(simpleCard()));
    expect(e).toMatchObject({ status: 429, code: 99991400 });
    expect(e.headers['x-ogw-ratelimit-reset']).toBe('7');
    expect((await sendCard(simpleCard())).code).toBe(0);
  });

  it('5xx and accept-then-drop faults', async () => {
    s.emu.faults.route(/\/im\/v1\/messages$/, { error5xx: 1, times: 1 });
    expect((await rejection(sendCard(simpleCard()))).status).toBe(500);
    expect(s.emu.messages(GROUP)).toHaveLength(0);
    s.emu.faults.route(/\/im\/v1\/messages$/, { drop: 1, dropAfterEffect: true, times: 1 });
    await expect(sendCard(simpleCard(), GROUP, 'u-drop')).rejects.toThrow();
    expect(s.emu.messages(GROUP)).toHaveLength(1);
    // The retry with the same uuid returns the message that was already sent.
    const retry = await sendCard(simpleCard(), GROUP, 'u-drop');
    expect(retry.data?.message_id).toBe(s.emu.messages(GROUP)[0]?.messageId);
    expect(s.emu.messages(GROUP)).toHaveLength(1);
  });
});

describe('chats', () => {
  it('gets chat info, pages members (no bots), and is_in_chat', async () => {
    const info = await s.client.im.v1.chat.get({ path: { chat_id: GROUP } });
    expect(info.data?.name).toBe('主题日工作群');
    expect(info.data?.user_count).toBe('3');
    const seen: string[] = [];
    for await (const page of await s.client.im.v1.chatMembers.getWithIterator({ path: { chat_id: GROUP }, params: { member_id_type: 'open_id', page_size: 2 } })) {
      for (const item of page?.items ?? []) seen.push(item.member_id ?? '');
    }
    expect(seen).toEqual([USERS.coord.openId, USERS.xs.openId, USERS.edu.openId]);
    expect((await s.client.im.v1.chatMembers.isInChat({ path: { chat_id: GROUP } })).data?.is_in_chat).toBe(true);
    expect((await s.client.im.v1.chatMembers.isInChat({ path: { chat_id: NO_BOT_GROUP } })).data?.is_in_chat).toBe(false);
  });
});

describe('files', () => {
  it('uploads an image and a file, sends them, and downloads what a user sent', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const img = await s.client.im.v1.image.create({ data: { image_type: 'message', image: png } });
    expect(img?.image_key).toMatch(/^img_v3_/);
    const file = await s.client.im.v1.file.create({ data: { file_type: 'xls', file_name: '进度表.xlsx', file: Buffer.from('PK-fake') } });
    expect(file?.file_key).toMatch(/^file_v3_/);
    expect(s.emu.uploadedFiles().map((f) => [f.kind, f.name, f.size])).toEqual([
      ['image', 'image', png.length],
      ['file', '进度表.xlsx', 7],
    ]);
    const sentImg = await s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'image', content: JSON.stringify({ image_key: img?.image_key }) } });
    expect(sentImg.code).toBe(0);
    const mismatch = await rejection(s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'file', content: JSON.stringify({ file_key: img?.image_key }) } }));
    expect(mismatch.code).toBe(230055);

    const photo = Buffer.from('user-photo-bytes');
    const { messageId } = await s.emu.userSendImage(USERS.xs.openId, GROUP, photo, '现场.jpg');
    const key = s.emu.message(messageId)?.imageKey ?? '';
    const dl = await s.client.im.v1.messageResource.get({ path: { message_id: messageId, file_key: key }, params: { type: 'image' } });
    const chunks: Buffer[] = [];
    for await (const chunk of dl.getReadableStream() as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(photo)).toBe(true);
    // Bots cannot send a user's image (230017).
    const notOwner = await rejection(s.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: GROUP, msg_type: 'image', content: JSON.stringify({ image_key: key }) } }));
    expect(notOwner.code).toBe(230017);
  });
});

describe('delayed card update', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startBot();
    s.emu.setBotUrl(bot.url);
  });
  afterEach(async () => {
    await bot.close();
  });

  const update = (token: string, c: Record<string, unknown>) => s.client.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card: c } });

  it('works after the callback was answered, at most twice, only with valid cards', async () => {
    const sent = await sendCard(simpleCard('待处理'));
    const id = sent.data?.message_id ?? '';
    const click = await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'ack' } });
    expect(click.error).toBeUndefined();
    expect(click.token).toMatch(/^c-/);
    const bad = await rejection(update(click.token, card([{ tag: 'action', actions: [] }])));
    expect(bad.code).toBe(230099);
    expect(bad.msg).toMatch(/200861/);
    expect(((await update(click.token, simpleCard('处理中'))) as { code: number }).code).toBe(0);
    expect(((await update(click.token, simpleCard('已完成'))) as { code: number }).code).toBe(0);
    const third = await rejection(update(click.token, simpleCard('第三次')));
    expect(third.code).toBe(230001);
    expect(third.msg).toMatch(/used up/);
    expect(s.emu.message(id)?.card).toEqual(simpleCard('已完成'));
    expect(s.emu.message(id)?.history.map((h) => h.via)).toEqual(['delayed_update', 'delayed_update']);
  });

  it('refuses a token before the callback is answered and after 30 minutes', async () => {
    let now = Date.now();
    await s.close();
    s = await startEmulator({ now: () => new Date(now), botUrl: bot.url });
    const id = (await sendCard(simpleCard())).data?.message_id ?? '';
    let early: Promise<unknown> | undefined;
    bot.handle = async (r, res) => {
      const token = (r.body.event as { token: string }).token;
      early = update(token, simpleCard('太早')).catch((e: unknown) => e);
      await early;
      res.json({});
    };
    const click = await s.emu.userClickCard(USERS.xs.openId, id, { value: { action: 'x' } });
    const earlyErr = await rejection(Promise.reject(await early));
    expect(earlyErr.msg).toMatch(/not been answered/);
    now += 31 * 60_000;
    const late = await rejection(update(click.token, simpleCard('太晚')));
    expect(late.msg).toMatch(/expired/);
  });
});

describe('calendar', () => {
  it('creates a shared calendar and events, patches and deletes them', async () => {
    const cal = await s.client.calendar.v4.calendar.create({ data: { summary: '政务公开主题日', permissions: 'public' } });
    const calendarId = cal.data?.calendar?.calendar_id ?? '';
    expect(calendarId).not.toBe('');
    const ev = await s.client.calendar.v4.calendarEvent.create({
      path: { calendar_id: calendarId },
      params: { idempotency_key: 'day-2026-05-15' },
      data: { summary: '主题日活动', start_time: { timestamp: '1778803200', timezone: 'Asia/Shanghai' }, end_time: { timestamp: '1778817600', timezone: 'Asia/Shanghai' }, need_notification: false },
    });
    const eventId = ev.data?.event?.event_id ?? '';
    const again = await s.client.calendar.v4.calendarEvent.create({
      path: { calendar_id: calendarId },
      params: { idempotency_key: 'day-2026-05-15' },
      data: { summary: '主题日活动', start_time: { timestamp: '1778803200' }, end_time: { timestamp: '1778817600' } },
    });
    expect(again.data?.event?.event_id).toBe(eventId);
    await s.client.calendar.v4.calendarEvent.patch({ path: { calendar_id: calendarId, event_id: eventId }, data: { summary: '主题日活动（改期）' } });
    expect(s.emu.calendarEvents(calendarId)[0]?.summary).toBe('主题日活动（改期）');
    await s.client.calendar.v4.calendarEvent.delete({ path: { calendar_id: calendarId, event_id: eventId } });
    expect(s.emu.calendarEvents(calendarId)[0]?.status).toBe('cancelled');
  });

  it('answers 99991672 naming the scope when the permission is missing', async () => {
    s.emu.faults.calendarPermission(false);
    const e = await rejection(s.client.calendar.v4.calendar.create({ data: { summary: 'x' } }));
    expect(e.status).toBe(400);
    expect(e.code).toBe(99991672);
    expect(e.msg).toMatch(/calendar:calendar/);
  });
});

describe('faults and tokens', () => {
  it('seeded probabilistic faults are deterministic', async () => {
    const outcomes = async (): Promise<boolean[]> => {
      s.emu.faults.reset();
      s.emu.faults.seed(42);
      s.emu.faults.route('/im/v1/chats/', { error5xx: 0.5 });
      const out: boolean[] = [];
      for (let i = 0; i < 10; i += 1)
        out.push(
          await s.client.im.v1.chat.get({ path: { chat_id: GROUP } }).then(
            () => true,
            () => false,
          ),
        );
      return out;
    };
    const a = await outcomes();
    const b = await outcomes();
    expect(a).toEqual(b);
    expect(a).toContain(true);
    expect(a).toContain(false);
  });

  it('per-target faults: each chat meets the same outcomes in the same order, however the chats interleave', async () => {
    const other = s.emu.createChat({ name: '第二群', memberOpenIds: [USERS.coord.openId], botMember: true }).chatId;
    const outcomes = async (order: string[]): Promise<Record<string, string>> => {
      s.emu.faults.reset();
      s.emu.resetRateWindows();
      s.emu.faults.seed(7);
      s.emu.faults.route('/open-apis/im/v1/messages', { error5xx: 0.3, rateLimit429: 0.1, perTarget: true }, 'POST');
      const out: Record<string, string> = { [GROUP]: '', [other]: '' };
      for (const chatId of order) {
        const status = await sendCard(simpleCard(), chatId).then(
          () => 200,
          (error: { response?: { status?: number } }) => error.response?.status ?? 0,
        );
        out[chatId] += `${status} `;
      }
      return out;
    };
    const [a, b] = [GROUP, other];
    // Five calls a chat: within Feishu's 5 a second per chat.
    const together = await outcomes([a, a, a, a, a, b, b, b, b, b]);
    const interleaved = await outcomes([b, a, b, a, b, b, a, a, b, a]);
    expect(interleaved).toEqual(together);
    // Faults and successes both (seed 7), not the same in both chats.
    expect(Object.values(together).join(' ')).toMatch(/500/);
    expect(Object.values(together).join(' ')).toMatch(/200/);
    expect(together[a]).not.toEqual(together[b]);
  });

  it('drop before the effect sends nothing; latency is added', async () => {
    s.emu.faults.route(/\/im\/v1\/messages$/, { drop: 1, times: 1 });
    await expect(sendCard(simpleCard())).rejects.toThrow();
    expect(s.emu.messages(GROUP)).toHaveLength(0);
    s.emu.faults.route(/\/im\/v1\/messages$/, { latencyMs: 150, times: 1 });
    const started = Date.now();
    await sendCard(simpleCard());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('tenant tokens live in wall time: jumping the injected clock does not expire them', async () => {
    let now = Date.now();
    await s.close();
    s = await startEmulator({ now: () => new Date(now) });
    await s.client.im.v1.chat.get({ path: { chat_id: GROUP } });
    now += 3 * 24 * 3600_000;
    expect((await s.client.im.v1.chat.get({ path: { chat_id: GROUP } })).code).toBe(0);
  });
});
