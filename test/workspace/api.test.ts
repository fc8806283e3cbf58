// The workspace JSON API over HTTP, against the real emulator and a fake bot on the same app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, OTHER_GROUP, PEOPLE, formCard, noticeCard, startFixture, type Fixture, type Json } from './fixture.ts';

let fx: Fixture;
const api = (path: string, init?: RequestInit): Promise<Response> => fetch(`${fx.url}/_emulator/api${path}`, init);
const post = (path: string, body: unknown): Promise<Response> => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('workspace API', () => {
  it('serves the page and its assets', async () => {
    const page = await fetch(`${fx.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('主题日助手');
    expect(html).toContain('/_workspace/app.js');
    for (const asset of ['app.js', 'card-renderer.js', 'card-logic.js', 'markdown.js', 'style.css']) {
      const res = await fetch(`${fx.url}/_workspace/${asset}`);
      expect(res.status, asset).toBe(200);
    }
  });

  it("serves markdown-it and VChart from node_modules as ES modules named by the page's import map", async () => {
    const html = await (await fetch(`${fx.url}/`)).text();
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
    const imports = (JSON.parse(map?.[1] ?? '{}') as { imports: Record<string, string> }).imports;
    expect(Object.keys(imports).sort()).toEqual(['@visactor/vchart', 'markdown-it']);
    for (const path of Object.values(imports)) {
      const res = await fetch(`${fx.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/javascript/);
      expect(await res.text(), path).toMatch(/export\s*\{[^}]*as default|export default/);
    }
    expect((await fetch(`${fx.url}/_workspace/vendor/left-pad.mjs`)).status).toBe(404);
  });

  it('state lists people with titles and only the chats the person is in, incl. the p2p chat with the bot', async () => {
    const res = await api(`/state?as=${PEOPLE.xs.openId}`);
    const state = (await res.json()) as { me: Json; users: Json[]; chats: { chatId: string; chatType: string; name: string; unread: number }[]; bot: Json };
    expect(state.me).toMatchObject({ openId: PEOPLE.xs.openId, name: '王星沙', title: '星沙街道 · 联系人' });
    expect(state.users.map((u) => u.name)).toEqual(expect.arrayContaining(['李成英', '王星沙', '赵教育']));
    expect(state.chats.map((c) => c.chatId)).toContain(GROUP);
    expect(state.chats.map((c) => c.chatId)).not.toContain(OTHER_GROUP);
    const p2p = state.chats.find((c) => c.chatType === 'p2p');
    expect(p2p?.name).toBe('主题日助手');
    expect(state.bot).toMatchObject({ name: '主题日助手' });
  });

  it('counts unread messages per person until the chat is opened', async () => {
    const sent = await fx.sendCard(GROUP, noticeCard());
    const unread = async (openId: string): Promise<number | undefined> => {
      const s = (await (await api(`/state?as=${openId}`)).json()) as { chats: { chatId: string; unread: number; lastMessage: Json | null }[] };
      return s.chats.find((c) => c.chatId === GROUP)?.unread;
    };
    expect(await unread(PEOPLE.edu.openId)).toBeGreaterThanOrEqual(1);
    const res = await api(`/chats/${GROUP}/messages?as=${PEOPLE.edu.openId}`);
    const body = (await res.json()) as { messages: { messageId: string; msgType: string; card?: Json; preview: string; senderName: string }[] };
    // other tests post cards to this group too: look at the one this test sent
    const card = body.messages.find((m) => m.messageId === sent);
    expect(card?.preview).toBe('2024 年政务公开主题日活动通知');
    expect(card?.senderName).toBe('主题日助手');
    expect(await unread(PEOPLE.edu.openId)).toBe(0);
  });

  it('sends text with an @mention of the bot and shows the mention by name', async () => {
    const res = await post(`/chats/${GROUP}/messages`, { as: PEOPLE.xs.openId, text: '@主题日助手 帮助', mentionBot: true });
    expect(res.status).toBe(201);
    const { messageId } = (await res.json()) as { messageId: string };
    const list = (await (await api(`/chats/${GROUP}/messages?as=${PEOPLE.xs.openId}`)).json()) as { messages: { messageId: string; text?: string; mentions: Json[] }[] };
    const sent = list.messages.find((m) => m.messageId === messageId);
    expect(sent?.text).toBe('@主题日助手 帮助');
    expect(sent?.mentions).toHaveLength(1);
    await fx.emulator.idle();
    expect(fx.events.some((e) => JSON.stringify(e).includes('帮助'))).toBe(true);
  });

  it('answers bad input with clear Chinese messages', async () => {
    const empty = await post(`/chats/${GROUP}/messages`, { as: PEOPLE.xs.openId, text: '   ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toContain('不能发送空消息');

    const notMember = await post(`/chats/${OTHER_GROUP}/messages`, { as: PEOPLE.xs.openId, text: '你好' });
    expect(notMember.status).toBe(403);
    expect(((await notMember.json()) as { error: string }).error).toBe('你不在该会话中');

    const badJson = await api(`/chats/${GROUP}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"as":' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toBe('请求体不是合法的 JSON');

    const badAction = await post(`/workspace/messages/om_nope/actions`, { as: PEOPLE.xs.openId, value: 'not-an-object' });
    expect(badAction.status).toBe(400);
    expect(((await badAction.json()) as { error: string }).error).toMatch(/^请求参数有误（value）/);

    const noPerson = await api(`/workspace/state`);
    expect(noPerson.status).toBe(200);
    expect(((await noPerson.json()) as { me: unknown }).me).toBeNull();
  });

  it('leaves requests without `as` to the emulator’s own API', async () => {
    const res = await api('/state');
    const body = (await res.json()) as Json;
    expect(body).toHaveProperty('botUrl');
    expect(body).not.toHaveProperty('me');
  });

  it('sends images as base64 JSON and as multipart, and serves them back', async () => {
    const json = await post(`/chats/${GROUP}/images`, { as: PEOPLE.xs.openId, fileName: '现场.png', dataBase64: PNG.toString('base64') });
    expect(json.status).toBe(201);

    const form = new FormData();
    form.append('as', PEOPLE.coord.openId);
    form.append('file', new Blob([PNG], { type: 'image/png' }), '签到表.png');
    const multipart = await api(`/chats/${GROUP}/images`, { method: 'POST', body: form });
    expect(multipart.status).toBe(201);

    const list = (await (await api(`/chats/${GROUP}/messages?as=${PEOPLE.xs.openId}`)).json()) as { messages: { msgType: string; imageKey?: string; senderId: string }[] };
    const images = list.messages.filter((m) => m.msgType === 'image');
    expect(images.map((m) => m.senderId)).toEqual([PEOPLE.xs.openId, PEOPLE.coord.openId]);
    const file = await api(`/workspace/files/${images[0]?.imageKey ?? ''}`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);

    const notImage = await post(`/chats/${GROUP}/images`, { as: PEOPLE.xs.openId, fileName: 'a.html', dataBase64: Buffer.from('<script>').toString('base64') });
    expect(notImage.status).toBe(400);
    expect(((await notImage.json()) as { error: string }).error).toContain('只支持');
  });

  it('passes card actions to the bot and returns the callback result with Feishu’s error text', async () => {
    const messageId = await fx.sendCard(GROUP, formCard());
    const formValue = { theme: '政策解读会', form_type: 'forum', audience: ['npc'], day: '2024-05-20 +0800', owner: PEOPLE.xs.openId, logo: true, intro: '' };
    const res = await post(`/messages/${messageId}/actions`, { as: PEOPLE.xs.openId, tag: 'button', name: 'submit_btn', value: { action: 'submit_theme' }, formValue });
    const result = (await res.json()) as { cardReplaced: boolean; toast?: { content?: string }; error?: string };
    expect(result).toMatchObject({ cardReplaced: true, toast: { content: '申报已提交' } });
    const cb = fx.callbacks.at(-1);
    expect(cb?.action).toMatchObject({ tag: 'button', name: 'submit_btn', value: { action: 'submit_theme' }, form_value: formValue });
    expect(cb?.operator.open_id).toBe(PEOPLE.xs.openId);

    const broken = await post(`/messages/${messageId}/actions`, { as: PEOPLE.xs.openId, tag: 'button', value: { action: 'broken' } });
    const brokenResult = (await broken.json()) as { error?: string; errorText?: string };
    expect(brokenResult.error).toBe('200671');
    expect(brokenResult.errorText).toBe('卡片回调失败 (200671)');
  });

  it('streams message and update events', async () => {
    const controller = new AbortController();
    const res = await api(`/workspace/stream`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const wait = (async () => {
      while (!seen.includes('event: message')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value);
      }
    })();
    await fx.sendCard(GROUP, noticeCard());
    await wait;
    controller.abort();
    expect(seen).toContain(`"chatId":"${GROUP}"`);
  });
});
