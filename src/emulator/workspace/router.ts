// The local workspace: a browser group-chat simulator on top of the Feishu emulator.
// Serves the static UI at `/` (assets under `/_workspace/`) and a per-person JSON API, mounted twice:
//  - `/_emulator/api/workspace/*` (what the page uses; never collides with the emulator's own API), and
//  - `/_emulator/api/*`, where the paths the emulator also serves (state, chats/:id/messages, stream, …)
//    are answered here only when the request names a person with `as`; otherwise they fall through to
//    the emulator's router (whose scripts send `openId`). Mount this router before `emulator.router`:
//      app.use(createWorkspaceRouter(emulator)); app.use(emulator.router);
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { CardCallbackResult, EmuChat, EmuMessage, EmuUser, Emulator } from '../types.ts';
import { multipartParts, partsOf } from '../multipart.ts';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const requireFromHere = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(requireFromHere.resolve(`${name}/package.json`));

/**
 * Browser libraries served from node_modules (no CDN: the workspace must work on an air-gapped server).
 * The page's import map names them, so markdown.js imports `markdown-it` in Node and in the browser alike.
 * VChart ships a UMD bundle; it is wrapped as an ES module exporting what the UMD factory fills in.
 */
const VENDOR: Record<string, { file: () => string; umd: boolean }> = {
  'markdown-it.mjs': { file: () => join(packageDir('markdown-it'), 'dist/browser/markdown-it.esm.min.mjs'), umd: false },
  'vchart.mjs': { file: () => join(packageDir('@visactor/vchart'), 'build/index.min.js'), umd: true },
};
const vendorCache = new Map<string, string>();

function vendorSource(name: string): string | null {
  const entry = VENDOR[name];
  if (!entry) return null;
  let source = vendorCache.get(name);
  if (source === undefined) {
    const raw = readFileSync(entry.file(), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    source = entry.umd ? `const module = { exports: {} };\nconst exports = module.exports;\n${raw}\nexport default module.exports;\n` : raw;
    vendorCache.set(name, source);
  }
  return source;
}

/** An error that reaches the browser as `{ error: message }` with this status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const openId = z.string({ error: '缺少身份（as）' }).trim().min(1, '缺少身份（as）').max(128, '身份标识过长');

const sendTextBody = z.object({
  as: openId,
  text: z
    .string({ error: '消息内容必须是文字' })
    .max(150_000, '消息过长（最多 150000 字）')
    .refine((t) => t.trim().length > 0, '不能发送空消息'),
  mentionBot: z.boolean({ error: 'mentionBot 必须是 true 或 false' }).optional(),
});

const sendImageBody = z.object({
  as: openId,
  fileName: z.string({ error: '缺少文件名' }).trim().min(1, '缺少文件名').max(255, '文件名过长'),
  dataBase64: z.string({ error: '缺少图片数据' }).min(1, '缺少图片数据'),
});

const jsonObject = z.record(z.string(), z.unknown());

const actionBody = z.object({
  as: openId,
  value: jsonObject.optional(),
  formValue: jsonObject.optional(),
  name: z.string().max(255).optional(),
  tag: z.string().max(64).optional(),
  inputValue: z.string().max(10_000, '输入内容过长').optional(),
  option: z.string().max(1024).optional(),
  options: z.array(z.string().max(1024)).max(200).optional(),
  checked: z.boolean().optional(),
  timezone: z.string().max(64).optional(),
});

const readBody = z.object({ as: openId });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first && first.path.length ? `（${first.path.join('.')}）` : '';
    throw new HttpError(400, `请求参数有误${where}：${first?.message ?? '格式不正确'}`);
  }
  return result.data;
}

function queryAs(req: Request): string {
  const raw = req.query.as;
  return parseBody(z.object({ as: openId }), { as: typeof raw === 'string' ? raw : undefined }).as;
}

/** A message as the browser sees it: the emulator's fields it shows, dates as ISO strings, names resolved. */
export interface WorkspaceMessage extends Pick<EmuMessage, 'messageId' | 'chatId' | 'senderType' | 'senderId' | 'msgType' | 'card' | 'imageKey' | 'fileKey' | 'fileName' | 'mentions' | 'parentId' | 'updateCount'> {
  senderName: string;
  senderTitle?: string;
  /** Text with mention keys (@_user_1) replaced by '@名字'. */
  text?: string;
  /** bytes of a file message's file (shown on the bubble) */
  fileSize?: number;
  createdAt: string;
  updatedAt: string;
  preview: string;
}

export interface WorkspaceChat extends Omit<EmuChat, 'createdAt'> {
  lastMessage: { preview: string; senderName: string; at: string } | null;
  unread: number;
}

function textOfTitle(value: unknown): string {
  if (value && typeof value === 'object' && 'content' in value) {
    const content = (value as { content?: unknown }).content;
    return typeof content === 'string' ? content : '';
  }
  return '';
}

/** Chat-list preview, like Feishu: card summary or title, '[图片]', or the text. */
export function messagePreview(m: EmuMessage, displayText?: string): string {
  switch (m.msgType) {
    case 'interactive': {
      const card = m.card ?? {};
      const config = card.config as { summary?: unknown } | undefined;
      const summary = textOfTitle(config?.summary);
      if (summary) return summary;
      const header = card.header as { title?: unknown } | undefined;
      const title = textOfTitle(header?.title);
      return title ? `[卡片] ${title}` : '[卡片]';
    }
    case 'image':
      return '[图片]';
    case 'file':
      return `[文件] ${m.fileName ?? ''}`.trim();
    default:
      return (displayText ?? m.text ?? '').replace(/\s+/g, ' ').trim().slice(0, 80);
  }
}

/** Replace Feishu mention keys in a text message with '@名字'. */
export function displayText(m: EmuMessage): string | undefined {
  if (m.text === undefined) return undefined;
  let text = m.text;
  for (const mention of m.mentions) text = text.split(mention.key).join(`@${mention.name}`);
  return text;
}

function sniffImageType(bytes: Buffer): string {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return 'application/octet-stream';
}

export function createWorkspaceRouter(emulator: Emulator): express.Router {
  const router = express.Router();
  /** openId → chatId → number of messages read (kept with the emulator's state across restarts). */
  const readCounts = emulator.readCounts;
  const markRead = (as: string, chatId: string): void => emulator.markRead(as, chatId);

  const userById = (): Map<string, EmuUser> => new Map(emulator.users().map((u) => [u.openId, u]));

  const serialize = (m: EmuMessage, users: Map<string, EmuUser>): WorkspaceMessage => {
    const sender = m.senderType === 'app' ? undefined : users.get(m.senderId);
    const text = displayText(m);
    return {
      messageId: m.messageId,
      chatId: m.chatId,
      senderType: m.senderType,
      senderId: m.senderId,
      senderName: m.senderType === 'app' ? emulator.botName : (sender?.name ?? m.senderId),
      ...(sender?.title ? { senderTitle: sender.title } : {}),
      msgType: m.msgType,
      ...(text !== undefined ? { text } : {}),
      ...(m.card ? { card: m.card } : {}),
      ...(m.imageKey ? { imageKey: m.imageKey } : {}),
      ...(m.fileKey ? { fileKey: m.fileKey } : {}),
      ...(m.fileName ? { fileName: m.fileName } : {}),
      ...(m.msgType === 'file' && m.fileKey ? { fileSize: emulator.uploadedFiles().find((f) => f.key === m.fileKey)?.size ?? 0 } : {}),
      mentions: m.mentions,
      ...(m.parentId ? { parentId: m.parentId } : {}),
      createdAt: m.createdAt.toISOString(),
      updatedAt: m.updatedAt.toISOString(),
      updateCount: m.updateCount,
      preview: messagePreview(m, text),
    };
  };

  const requireUser = (as: string): EmuUser => {
    const user = emulator.users().find((u) => u.openId === as);
    if (!user) throw new HttpError(404, `找不到用户 ${as}，请重新选择身份`);
    return user;
  };

  const requireChat = (chatId: string, as: string): EmuChat => {
    const chat = emulator.chats().find((c) => c.chatId === chatId);
    if (!chat) throw new HttpError(404, '会话不存在');
    if (!chat.memberOpenIds.includes(as)) throw new HttpError(403, '你不在该会话中');
    return chat;
  };

  const unreadCount = (as: string, chatId: string): number => {
    const read = readCounts.get(as)?.get(chatId) ?? 0;
    return emulator
      .messages(chatId)
      .slice(read)
      .filter((m) => !(m.senderType === 'user' && m.senderId === as)).length;
  };

  const chatView = (chat: EmuChat, as: string, users: Map<string, EmuUser>): WorkspaceChat => {
    const messages = emulator.messages(chat.chatId);
    const last = messages[messages.length - 1];
    return {
      chatId: chat.chatId,
      name: chat.chatType === 'p2p' ? emulator.botName : chat.name,
      chatType: chat.chatType,
      memberOpenIds: chat.memberOpenIds,
      botMember: chat.botMember,
      ...(chat.p2pOpenId ? { p2pOpenId: chat.p2pOpenId } : {}),
      lastMessage: last
        ? {
            preview: messagePreview(last, displayText(last)),
            senderName: last.senderType === 'app' ? emulator.botName : (users.get(last.senderId)?.name ?? last.senderId),
            at: last.createdAt.toISOString(),
          }
        : null,
      unread: unreadCount(as, chat.chatId),
    };
  };

  // ---- static UI ------------------------------------------------------------------------------
  const sendIndex = (_req: Request, res: Response): void => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: PUBLIC_DIR });
  };
  router.get('/', sendIndex);
  router.get('/_workspace', sendIndex);
  router.get('/_workspace/vendor/:name', (req, res, next) => {
    const source = vendorSource(String(req.params.name));
    if (source === null) {
      next();
      return;
    }
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.send(source);
  });
  router.use('/_workspace', express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0, etag: true }));

  // ---- JSON API -------------------------------------------------------------------------------
  // Parsers are per route so that paths this router does not own fall through untouched.
  const api = express.Router();
  /** On the shared prefix, answer only requests that name a person; the rest belong to the emulator. */
  const mine: RequestHandler = (req, _res, next) => {
    const body: unknown = req.body;
    const hasAs = typeof req.query.as === 'string' || (!!body && typeof body === 'object' && 'as' in body);
    next(req.baseUrl.endsWith('/workspace') || hasAs ? undefined : 'route');
  };
  const json = express.json({ limit: '1mb' });
  const upload = [express.json({ limit: '20mb' }), express.raw({ type: 'multipart/form-data', limit: '20mb' }), multipartParts];

  api.get('/state', mine, (req, res) => {
    const users = userById();
    const rawAs = typeof req.query.as === 'string' ? req.query.as : '';
    const me = rawAs ? users.get(rawAs) : undefined;
    const chats: WorkspaceChat[] = [];
    if (me) {
      const p2p = emulator.p2pChatId(me.openId);
      for (const chat of emulator.chats()) {
        if (!chat.memberOpenIds.includes(me.openId)) continue;
        if (chat.chatType === 'p2p' && chat.chatId !== p2p) continue;
        chats.push(chatView(chat, me.openId, users));
      }
      chats.sort((a, b) => (b.lastMessage?.at ?? '').localeCompare(a.lastMessage?.at ?? '') || a.name.localeCompare(b.name, 'zh-CN'));
    }
    res.json({
      me: me ?? null,
      bot: { openId: emulator.botOpenId, name: emulator.botName },
      users: [...users.values()],
      chats,
    });
  });

  api.get('/chats/:chatId/messages', mine, (req, res) => {
    const as = queryAs(req);
    requireUser(as);
    const chat = requireChat(String(req.params.chatId), as);
    const users = userById();
    markRead(as, chat.chatId);
    res.json({
      chat: chatView(chat, as, users),
      messages: emulator.messages(chat.chatId).map((m) => serialize(m, users)),
    });
  });

  api.get('/messages/:messageId', mine, (req, res) => {
    const as = queryAs(req);
    const m = emulator.message(String(req.params.messageId));
    if (!m) throw new HttpError(404, '消息不存在');
    requireChat(m.chatId, as);
    res.json({ message: serialize(m, userById()) });
  });

  api.post('/chats/:chatId/read', json, (req, res) => {
    const { as } = parseBody(readBody, req.body);
    requireChat(String(req.params.chatId), as);
    markRead(as, String(req.params.chatId));
    res.json({ ok: true });
  });

  api.post('/chats/:chatId/messages', json, mine, async (req, res) => {
    const body = parseBody(sendTextBody, req.body);
    requireUser(body.as);
    const chat = requireChat(String(req.params.chatId), body.as);
    // A p2p chat with the bot always reaches it; in groups only an @mention does.
    const mentionBot = body.mentionBot ?? false;
    const result = await emulator.userSendText(body.as, chat.chatId, body.text, { mentionBot }).catch((error: unknown) => {
      throw new HttpError(400, `发送失败：${error instanceof Error ? error.message : String(error)}`);
    });
    markRead(body.as, chat.chatId);
    res.status(201).json(result);
  });

  api.post('/chats/:chatId/images', ...upload, async (req, res) => {
    let as: string;
    let fileName: string;
    let bytes: Buffer;
    if (Buffer.isBuffer(req.body)) {
      const parts = partsOf(req);
      if (!parts) throw new HttpError(400, '请求参数有误：无法解析 multipart 表单');
      const file = parts.find((p) => p.name === 'file' || p.name === 'image');
      const asPart = parts.find((p) => p.name === 'as');
      if (!file || !file.filename) throw new HttpError(400, '请求参数有误：缺少图片文件（file）');
      as = parseBody(z.object({ as: openId }), { as: asPart?.data.toString('utf8') }).as;
      fileName = file.filename;
      bytes = file.data;
    } else {
      const body = parseBody(sendImageBody, req.body);
      as = body.as;
      fileName = body.fileName;
      if (!/^[A-Za-z0-9+/=\s]+$/.test(body.dataBase64)) throw new HttpError(400, '请求参数有误（dataBase64）：不是合法的 Base64');
      bytes = Buffer.from(body.dataBase64, 'base64');
    }
    if (bytes.length === 0) throw new HttpError(400, '图片是空的');
    if (bytes.length > MAX_IMAGE_BYTES) throw new HttpError(413, '图片过大（最多 10 MB）');
    if (!sniffImageType(bytes).startsWith('image/')) throw new HttpError(400, '只支持 PNG、JPEG、GIF、WEBP、BMP 图片');
    requireUser(as);
    const chat = requireChat(String(req.params.chatId), as);
    const result = await emulator.userSendImage(as, chat.chatId, bytes, fileName).catch((error: unknown) => {
      throw new HttpError(400, `发送失败：${error instanceof Error ? error.message : String(error)}`);
    });
    markRead(as, chat.chatId);
    res.status(201).json(result);
  });

  api.get('/files/:key', mine, (req, res) => {
    const file = emulator.uploadedFiles().find((f) => f.key === String(req.params.key));
    if (!file) throw new HttpError(404, '文件不存在');
    const type = file.kind === 'image' ? sniffImageType(file.bytes) : 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    if (!type.startsWith('image/')) res.setHeader('Content-Disposition', 'attachment');
    res.send(file.bytes);
  });

  // A file message opens/downloads like Feishu's: the bytes of the message's own resource, for a
  // member of its chat (Feishu's "获取消息中的资源文件": file_key and message_id must match,
  // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message-resource/get).
  api.get('/messages/:messageId/resources/:key', mine, (req, res) => {
    const as = typeof req.query.as === 'string' ? req.query.as : '';
    requireUser(as);
    const message = emulator.message(String(req.params.messageId));
    if (!message) throw new HttpError(404, '消息不存在');
    requireChat(message.chatId, as);
    const key = String(req.params.key);
    if (message.fileKey !== key && message.imageKey !== key) throw new HttpError(404, '文件与消息不匹配');
    const file = emulator.uploadedFiles().find((f) => f.key === key);
    if (!file) throw new HttpError(404, '文件不存在');
    const name = message.fileName ?? file.name;
    const type = file.kind === 'image' ? sniffImageType(file.bytes) : contentTypeOf(name);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(file.bytes.length));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('Content-Disposition', contentDisposition(type.startsWith('image/') ? 'inline' : 'attachment', name));
    res.send(file.bytes);
  });

  api.post('/messages/:messageId/actions', json, async (req, res) => {
    const body = parseBody(actionBody, req.body);
    requireUser(body.as);
    const message = emulator.message(String(req.params.messageId));
    if (!message) throw new HttpError(404, '消息不存在');
    requireChat(message.chatId, body.as);
    if (message.msgType !== 'interactive') throw new HttpError(400, '这条消息不是卡片');
    const { as, ...action } = body;
    const result: CardCallbackResult = await emulator.userClickCard(as, message.messageId, { ...action, value: action.value ?? {} });
    res.json({ ...result, errorText: result.error ? `卡片回调失败 (${result.error})` : undefined });
  });

  api.get('/stream', mine, (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const push = (type: 'message' | 'update') => (m: EmuMessage) => {
      const data = { type, messageId: m.messageId, chatId: m.chatId, senderType: m.senderType, senderId: m.senderId };
      res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const offMessage = emulator.on('message', push('message'));
    const offUpdate = emulator.on('update', push('update'));
    const keepAlive = setInterval(() => res.write(': ping\n\n'), 15_000);
    keepAlive.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      offMessage();
      offUpdate();
    });
  });

  // Express 5 forwards rejected async handlers here; body-parser errors arrive with a status.
  api.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message });
      return;
    }
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: '请求体不是合法的 JSON' });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: '请求体过大' });
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: '请求有误' });
      return;
    }
    console.error('[workspace] unexpected error', error);
    res.status(500).json({ error: '模拟器内部错误，请查看终端日志' });
  });

  router.use(['/_emulator/api/workspace', '/_emulator/api'], api);
  return router;
}

const CONTENT_TYPES: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  csv: 'text/csv; charset=utf-8',
  zip: 'application/zip',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html; charset=utf-8',
};

/** By the file name's extension; unknown files are bytes. */
export function contentTypeOf(fileName: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name (Chinese file names survive the download). */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
