// One express app = emulator + workspace + a tiny fake bot (/feishu/events, /feishu/cards), seeded with a
// county group chat and cards posted through the real SDK. Used by the workspace tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import * as lark from '@larksuiteoapi/node-sdk';
import { createEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createWorkspaceRouter } from '../../src/emulator/workspace/router.ts';

export const APP_ID = 'cli_workspace00000001';
export const APP_SECRET = 'workspace-secret';

export const PEOPLE = {
  coord: { openId: 'ou_ws_coord0000000000000000000001', name: '李成英', title: '县政务公开办 · 协调人' },
  xs: { openId: 'ou_ws_xingsha00000000000000000002', name: '王星沙', title: '星沙街道 · 联系人' },
  edu: { openId: 'ou_ws_edu0000000000000000000000003', name: '赵教育', title: '县教育局 · 联系人' },
};
export const GROUP = 'oc_ws_group00000000000000000000001';
export const OTHER_GROUP = 'oc_ws_group00000000000000000000002';

export type Json = Record<string, unknown>;

export interface CardCallback {
  operator: { open_id: string };
  action: { value: Json; tag: string; name?: string; form_value?: Json; option?: string; input_value?: string; checked?: boolean };
  context: { open_message_id: string; open_chat_id: string };
}

export interface Fixture {
  url: string;
  emulator: Emulator;
  client: lark.Client;
  callbacks: CardCallback[];
  events: Json[];
  sendCard(chatId: string, card: Json): Promise<string>;
  close(): Promise<void>;
}

/** A per-fixture token cache, so parallel test files never share the SDK's global one. */
type SdkCache = NonNullable<ConstructorParameters<typeof lark.Client>[0]['cache']>;
function memoryCache(): SdkCache {
  const store = new Map<string, unknown>();
  const k = (key: unknown, ns?: string): string => `${ns ?? ''}:${String(key)}`;
  return {
    get: async (key, o) => store.get(k(key, o?.namespace)),
    set: async (key, value, _expire, o) => {
      store.set(k(key, o?.namespace), value);
      return true;
    },
  };
}

const md = (content: string, extra: Json = {}): Json => ({ tag: 'markdown', content, ...extra });
const plain = (content: string): Json => ({ tag: 'plain_text', content });

/** A notice card exercising most display components. */
export function noticeCard(): Json {
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: '2024 年政务公开主题日活动通知' } },
    header: {
      template: 'blue',
      title: plain('关于开展 2024 年“政务公开主题日”活动的通知'),
      subtitle: plain('县政务公开办 · 4 月 7 日前申报'),
      text_tag_list: [{ tag: 'text_tag', text: plain('进行中'), color: 'green' }],
    },
    body: {
      elements: [
        md(
          `各镇（街）、县直各单位：请<at id=${PEOPLE.xs.openId}></at>等联系人于 **4 月 7 日前** 申报活动主题。\n` +
            '- 活动形式：*实地调研*、现场观摩、座谈交流、政策发布、问卷调查\n' +
            "- 截止提醒：<font color='red'>逾期将影响绩效考核</font> <text_tag color='orange'>重要</text_tag>\n" +
            '- 方案全文：[长沙县政务公开主题日实施方案](https://www.csx.gov.cn/)',
        ),
        { tag: 'hr' },
        {
          tag: 'column_set',
          flex_mode: 'none',
          horizontal_spacing: '8px',
          columns: [
            { tag: 'column', width: 'weighted', weight: 1, background_style: 'grey', padding: '8px', elements: [md('**已申报**\n<font color="green">12</font> 个单位', { text_align: 'center' })] },
            { tag: 'column', width: 'weighted', weight: 1, background_style: 'grey', padding: '8px', elements: [md('**未申报**\n<font color="red">3</font> 个单位', { text_align: 'center' })] },
            { tag: 'column', width: 'weighted', weight: 2, background_style: 'grey', padding: '8px', elements: [md('**截止时间**\n2024-04-07 18:00', { text_align: 'center' })] },
          ],
        },
        {
          tag: 'table',
          page_size: 2,
          columns: [
            { name: 'unit', display_name: '单位', data_type: 'text' },
            { name: 'status', display_name: '状态', data_type: 'options' },
            { name: 'count', display_name: '活动数', data_type: 'number', format: { precision: 0 } },
          ],
          rows: [
            { unit: '星沙街道', status: [{ text: '已申报', color: 'green' }], count: 2 },
            { unit: '县教育局', status: [{ text: '待申报', color: 'orange' }], count: 0 },
            { unit: '泉塘街道', status: [{ text: '已申报', color: 'green' }], count: 1 },
          ],
        },
        {
          tag: 'collapsible_panel',
          expanded: false,
          header: { title: { tag: 'markdown', content: '**活动要求（展开查看）**' } },
          elements: [md('1. 突出“公开”属性，活动现场设置主题日 LOGO\n2. 做好政策解读，主动回应关切')],
        },
        md('县政务公开办 · 联系电话 0731-84872387', { text_size: 'notation' }),
      ],
    },
  };
}

const fieldLabel = (text: string, required: boolean): Json => md(required ? `**${text}** <font color='red'>*</font>` : `**${text}**`, { margin: '4px 0px -4px 0px' });

/** The theme application form (what the bot's submission card looks like). */
export function formCard(): Json {
  const option = (text: string, value: string): Json => ({ text: plain(text), value });
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { template: 'orange', title: plain('活动主题申报表'), subtitle: plain('星沙街道 · 2024 年') },
    body: {
      elements: [
        md('请填写本单位 2024 年“政务公开主题日”活动主题，**带 * 为必填项**。'),
        {
          tag: 'form',
          name: 'theme_form',
          elements: [
            { tag: 'input', name: 'theme', required: true, max_length: 100, label: plain('活动主题'), placeholder: plain('例如：优化营商环境政策解读会') },
            fieldLabel('活动形式', true),
            {
              tag: 'select_static',
              name: 'form_type',
              required: true,
              placeholder: plain('请选择活动形式'),
              options: [option('实地调研', 'survey'), option('现场观摩', 'observe'), option('座谈交流', 'forum'), option('政策发布', 'release'), option('问卷调查', 'questionnaire')],
            },
            fieldLabel('邀请对象', false),
            {
              tag: 'multi_select_static',
              name: 'audience',
              required: false,
              placeholder: plain('可多选'),
              options: [option('人大代表', 'npc'), option('政协委员', 'cppcc'), option('专家学者', 'experts'), option('新闻媒体', 'media'), option('市民群众', 'public')],
            },
            fieldLabel('活动日期', true),
            { tag: 'date_picker', name: 'day', required: true, placeholder: plain('请选择日期') },
            fieldLabel('负责人', false),
            { tag: 'select_person', name: 'owner', placeholder: plain('请选择负责人') },
            { tag: 'input', name: 'intro', input_type: 'multiline_text', rows: 3, label: plain('活动简介'), placeholder: plain('简要介绍活动内容（选填）') },
            { tag: 'checker', name: 'logo', text: plain('活动现场将设置“政务公开主题日”LOGO') },
            {
              tag: 'column_set',
              flex_mode: 'none',
              columns: [
                {
                  tag: 'column',
                  width: 'auto',
                  elements: [
                    {
                      tag: 'button',
                      name: 'submit_btn',
                      type: 'primary_filled',
                      form_action_type: 'submit',
                      text: plain('提交申报'),
                      confirm: { title: plain('确认提交'), text: plain('提交后如需修改请联系县政务公开办。') },
                      behaviors: [{ type: 'callback', value: { action: 'submit_theme', unit: 'xingsha' } }],
                    },
                  ],
                },
                { tag: 'column', width: 'auto', elements: [{ tag: 'button', name: 'reset_btn', type: 'default', form_action_type: 'reset', text: plain('清空') }] },
              ],
            },
          ],
        },
      ],
    },
  };
}

/** What the fake bot answers after a successful submission. */
export function submittedCard(formValue: Json): Json {
  const esc = (v: unknown): string => String(Array.isArray(v) ? v.join('、') : (v ?? '')).replace(/[\\`*_~[\]()<>#|-]/g, (c) => `\\${c}`);
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { template: 'green', title: plain('活动主题申报已提交'), text_tag_list: [{ tag: 'text_tag', text: plain('已提交'), color: 'green' }] },
    body: {
      elements: [md(`**活动主题：**${esc(formValue.theme)}\n**活动形式：**${esc(formValue.form_type)}\n**活动日期：**${esc(formValue.day)}`), md('县政务公开办将在 3 个工作日内完成审核。', { text_size: 'notation' })],
    },
  };
}

export async function startFixture(): Promise<Fixture> {
  const emulator = createEmulator({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: 'vt-ws', botName: '主题日助手', rateLimits: false, redeliveryDelaysMs: [] });
  const callbacks: CardCallback[] = [];
  const events: Json[] = [];
  const sdkHolder: { client?: lark.Client } = {};
  const app = express();

  app.post('/feishu/cards', express.json(), (req: Request, res: Response) => {
    const body = req.body as { event: CardCallback };
    const event = body.event;
    callbacks.push(event);
    const action = event.action;
    if (action.value.action === 'submit_theme') {
      res.json({ toast: { type: 'success', content: '申报已提交' }, card: { type: 'raw', data: submittedCard(action.form_value ?? {}) } });
      return;
    }
    if (action.value.action === 'broken') {
      res.status(500).send('boom');
      return;
    }
    res.json({ toast: { type: 'info', content: '已收到' } });
  });

  app.post('/feishu/events', express.json(), (req: Request, res: Response) => {
    const body = req.body as Json & { challenge?: string; header?: { event_type?: string }; event?: Json };
    if (body.challenge) {
      res.json({ challenge: body.challenge });
      return;
    }
    events.push(body);
    res.json({});
    const event = body.event as { message?: { chat_id: string; chat_type: string; content: string; message_type: string; mentions?: unknown[] } } | undefined;
    const addressed = event?.message && (event.message.chat_type === 'p2p' || (event.message.mentions ?? []).length > 0);
    if (body.header?.event_type === 'im.message.receive_v1' && event?.message && addressed && sdkHolder.client) {
      const text = event.message.message_type === 'text' ? (JSON.parse(event.message.content) as { text: string }).text : `[${event.message.message_type}]`;
      const reply = `收到：${text.replace(/@_user_\d+\s*/g, '').trim()}`;
      void sdkHolder.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: event.message.chat_id, msg_type: 'text', content: JSON.stringify({ text: reply }) } }).catch(() => undefined);
    }
  });

  app.use(createWorkspaceRouter(emulator));
  app.use(emulator.router);

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.setBotUrl(url);
  emulator.seed({
    users: Object.values(PEOPLE),
    chats: [
      { chatId: GROUP, name: '2024 政务公开主题日工作群', memberOpenIds: [PEOPLE.coord.openId, PEOPLE.xs.openId, PEOPLE.edu.openId] },
      { chatId: OTHER_GROUP, name: '县政务公开办内部群', memberOpenIds: [PEOPLE.coord.openId] },
    ],
  });
  const sdk = new lark.Client({ appId: APP_ID, appSecret: APP_SECRET, domain: url, cache: memoryCache(), loggerLevel: lark.LoggerLevel.error });
  sdkHolder.client = sdk;

  const sendCard = async (chatId: string, card: Json): Promise<string> => {
    const res = await sdk.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) } });
    const id = res.data?.message_id;
    if (!id) throw new Error(`send failed: ${res.code} ${res.msg}`);
    return id;
  };

  return {
    url,
    emulator,
    client: sdk,
    callbacks,
    events,
    sendCard,
    close: async () => {
      emulator.stopRedeliveries();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
