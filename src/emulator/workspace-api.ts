// JSON + SSE API under /_emulator/api for the browser workspace (src/emulator/workspace/) and scripts.
// All answers are JSON; errors are {error: '<Chinese message>'} with HTTP 400/404.
//
//   GET  /_emulator/api/state                       → {bot:{openId,name,appId}, users, chats}
//   GET  /_emulator/api/chats/:chatId/messages      → EmuMessage[] (newest last)
//   POST /_emulator/api/chats/:chatId/messages      {openId, text, mentionBot?, parentId?} → {messageId, delivery}
//   POST /_emulator/api/chats/:chatId/attachments   {openId, kind:'image'|'file', fileName, dataBase64, parentId?}
//   POST /_emulator/api/chats/:chatId/bot           {operatorOpenId, present:boolean} → DeliveryResult
//   GET  /_emulator/api/p2p/:openId                 → {chatId}
//   POST /_emulator/api/messages/:messageId/click   {openId, action: CardAction} → CardCallbackResult
//   GET  /_emulator/api/messages/:messageId         → EmuMessage
//   GET  /_emulator/api/files/:key                  → the bytes (for showing images)
//   GET  /_emulator/api/calls?path=regex            → ApiCallRecord[]
//   GET  /_emulator/api/deliveries                  → DeliveryRecord[]
//   GET  /_emulator/api/calendars                   → {calendars, events}
//   POST /_emulator/api/faults                      {route?:{pattern, method?, ...RouteFault}, duplicateDeliveries?, calendarPermission?, botUnreachable?,
//                                                    scopes?:{[scope]: granted}, longConnection?:'drop'|'refuse'|'accept', seed?, reset?}
//   GET  /_emulator/api/stream                      SSE: `event: message|update`, `data: EmuMessage`
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { EmulatorCore } from './core.ts';
import type { Emulator } from './types.ts';

const sendSchema = z.object({ openId: z.string().min(1), text: z.string().min(1), mentionBot: z.boolean().optional(), parentId: z.string().optional() });
const attachSchema = z.object({ openId: z.string().min(1), kind: z.enum(['image', 'file']), fileName: z.string().min(1), dataBase64: z.string(), parentId: z.string().optional() });
const botSchema = z.object({ operatorOpenId: z.string().min(1), present: z.boolean() });
const clickSchema = z.object({
  openId: z.string().min(1),
  action: z.object({
    value: z.record(z.string(), z.unknown()),
    formValue: z.record(z.string(), z.unknown()).optional(),
    name: z.string().optional(),
    tag: z.string().optional(),
    inputValue: z.string().optional(),
    option: z.string().optional(),
    options: z.array(z.string()).optional(),
    checked: z.boolean().optional(),
    timezone: z.string().optional(),
  }),
});
const faultSchema = z.object({
  route: z
    .object({
      pattern: z.string().min(1),
      method: z.string().optional(),
      latencyMs: z.number().min(0).optional(),
      error5xx: z.number().min(0).max(1).optional(),
      rateLimit429: z.number().min(0).max(1).optional(),
      resetSeconds: z.number().min(0).optional(),
      drop: z.number().min(0).max(1).optional(),
      dropAfterEffect: z.boolean().optional(),
      times: z.number().int().positive().optional(),
    })
    .optional(),
  duplicateDeliveries: z.number().int().min(0).optional(),
  calendarPermission: z.boolean().optional(),
  botUnreachable: z.boolean().optional(),
  /** scope → granted (false = APIs needing it answer 99991672) */
  scopes: z.record(z.string(), z.boolean()).optional(),
  /** cut the long connection (drop), keep refusing new ones (refuse), or let them in again (accept) */
  longConnection: z.enum(['drop', 'refuse', 'accept']).optional(),
  seed: z.number().int().optional(),
  reset: z.boolean().optional(),
});

type Route = (req: Request, res: Response) => Promise<unknown> | unknown;

export function buildWorkspaceApi(core: EmulatorCore, emu: Emulator): Router {
  const router = express.Router();
  router.use('/_emulator/api', express.json({ limit: '64mb' }));

  const route = (method: 'get' | 'post', path: string, fn: Route): void => {
    router[method](`/_emulator/api${path}`, async (req: Request, res: Response) => {
      try {
        const out = await fn(req, res);
        if (!res.headersSent) res.json(out ?? {});
      } catch (error) {
        if (res.headersSent) return;
        const message = error instanceof z.ZodError ? `请求格式不对：${error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('；')}` : (error as Error).message;
        res.status(400).json({ error: message });
      }
    });
  };

  route('get', '/state', () => ({ bot: { openId: core.botOpenId, name: core.botName, appId: core.options.appId }, botUrl: core.botUrl ?? null, users: emu.users(), chats: emu.chats() }));
  route('get', '/chats/:chatId/messages', (req) => emu.messages(String(req.params.chatId)));
  route('post', '/chats/:chatId/messages', (req) => {
    const b = sendSchema.parse(req.body);
    const opts: { mentionBot?: boolean; parentId?: string } = {};
    if (b.mentionBot !== undefined) opts.mentionBot = b.mentionBot;
    if (b.parentId !== undefined) opts.parentId = b.parentId;
    return emu.userSendText(b.openId, String(req.params.chatId), b.text, opts);
  });
  route('post', '/chats/:chatId/attachments', (req) => {
    const b = attachSchema.parse(req.body);
    const bytes = Buffer.from(b.dataBase64, 'base64');
    const opts = b.parentId !== undefined ? { parentId: b.parentId } : {};
    return b.kind === 'image' ? emu.userSendImage(b.openId, String(req.params.chatId), bytes, b.fileName, opts) : emu.userSendFile(b.openId, String(req.params.chatId), bytes, b.fileName, opts);
  });
  route('post', '/chats/:chatId/bot', (req) => {
    const b = botSchema.parse(req.body);
    return b.present ? emu.addBotToChat(String(req.params.chatId), b.operatorOpenId) : emu.removeBotFromChat(String(req.params.chatId), b.operatorOpenId);
  });
  route('get', '/p2p/:openId', (req) => {
    const openId = String(req.params.openId);
    if (!core.usersById.has(openId)) throw new Error(`用户不存在：${openId}`);
    return { chatId: emu.p2pChatId(openId) };
  });
  route('post', '/messages/:messageId/click', (req) => {
    const b = clickSchema.parse(req.body);
    return emu.userClickCard(b.openId, String(req.params.messageId), b.action);
  });
  route('get', '/messages/:messageId', (req, res) => {
    const m = emu.message(String(req.params.messageId));
    if (!m) {
      res.status(404).json({ error: '消息不存在' });
      return undefined;
    }
    return m;
  });
  route('get', '/files/:key', (req, res) => {
    const f = core.files.get(String(req.params.key));
    if (!f) {
      res.status(404).json({ error: '文件不存在' });
      return undefined;
    }
    res.set('content-type', f.kind === 'image' ? 'image/*' : 'application/octet-stream');
    res.set('content-disposition', `inline; filename="${encodeURIComponent(f.name)}"`);
    res.send(f.bytes);
    return undefined;
  });
  route('get', '/calls', (req) => {
    const p = typeof req.query.path === 'string' ? new RegExp(req.query.path) : undefined;
    return emu.calls(p ? { path: p } : undefined);
  });
  route('get', '/deliveries', () => emu.deliveries());
  route('get', '/calendars', () => ({ calendars: emu.calendars(), events: emu.calendarEvents() }));
  route('post', '/faults', (req) => {
    const b = faultSchema.parse(req.body);
    if (b.reset) emu.faults.reset();
    if (b.seed !== undefined) emu.faults.seed(b.seed);
    if (b.duplicateDeliveries !== undefined) emu.faults.duplicateDeliveries(b.duplicateDeliveries);
    if (b.calendarPermission !== undefined) emu.faults.calendarPermission(b.calendarPermission);
    if (b.botUnreachable !== undefined) emu.faults.botUnreachable(b.botUnreachable);
    for (const [scope, granted] of Object.entries(b.scopes ?? {})) emu.faults.scope(scope, granted);
    if (b.longConnection === 'drop') emu.longConnection.drop();
    else if (b.longConnection === 'refuse') emu.longConnection.drop({ refuse: true });
    else if (b.longConnection === 'accept') emu.longConnection.refuse(false);
    if (b.route) {
      const { pattern, method, ...fault } = b.route;
      emu.faults.route(new RegExp(pattern), fault, method);
    }
    return { ok: true };
  });

  router.get('/_emulator/api/stream', (req, res) => {
    res.set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    res.write(': connected\n\n');
    const send = (event: string) => (m: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(m)}\n\n`);
    const offMessage = core.on('message', send('message'));
    const offUpdate = core.on('update', send('update'));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.on('close', () => {
      offMessage();
      offUpdate();
      clearInterval(ping);
    });
  });

  return router;
}
