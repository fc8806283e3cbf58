// Feishu's long connection ("使用长连接接收事件/回调"), as @larksuiteoapi/node-sdk 1.74's WSClient speaks it
// (lib/index.js, class WSClient):
//  1. POST {domain}/callback/ws/endpoint with {AppID, AppSecret} → {code, msg, data: {URL, ClientConfig}};
//     the SDK reads device_id and service_id from the URL's query and the ping/reconnect timings
//     (seconds) from ClientConfig. code 1000040343 is retried, any other non-zero code stops the client.
//  2. A WebSocket to URL carrying protobuf `pbbp2.Frame`s (./ws-frame.ts). method 0 = control: the client
//     pings every PingInterval, the server answers `pong` with ClientConfig as the JSON payload.
//     method 1 = data: headers type (event|card), message_id, sum/seq (a payload split into `sum`
//     fragments), trace_id. The client acks each message by sending the same frame back with a
//     `biz_rt` header and payload {code: 200|500, data?: base64(JSON of the handler's answer)}.
//  3. Events and callbacks (card.action.trigger, schema 2.0) both travel as type `event`: the Node SDK
//     drops any other data type, and the old card callback (card.action.trigger_v1) cannot use the long
//     connection at all ("消息卡片回传交互（旧）回调不支持使用长连接接收回调",
//     https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/event-subscription-guide/callback-subscription/configure-callback-request-address).
//  4. The client must answer within 3 s ("长连接模式下接收到消息后，需要在 3 秒内处理完成", same page); one
//     random connected client gets each message (cluster mode, no broadcast); at most 50 connections per app.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Router } from 'express';
import { WebSocketServer, WebSocket } from 'ws';
import type { AttemptOutcome } from './delivery.ts';
import { FRAME_CONTROL, FRAME_DATA, decodeFrame, encodeFrame, header, type Frame } from './ws-frame.ts';
import type { LongConnectionControl, WsClientConfig, WsConnectionInfo, WsFrameRecord } from './types.ts';

export const WS_ENDPOINT_PATH = '/callback/ws/endpoint';
export const WS_PATH = '/ws/v2';
/** Feishu's defaults as the SDK initialises them (WSConfig): seconds. */
export const FEISHU_WS_CLIENT_CONFIG: WsClientConfig = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };
const MAX_CONNECTIONS = 50;
const TICKET_TTL_MS = 5 * 60_000;
const FRAME_LOG_CAP = 5000;
/** Payload bytes per data frame before a message is split (sum/seq); not documented, chosen small enough to be exercised. */
export const DEFAULT_FRAGMENT_BYTES = 16 * 1024;

/** What the hub needs from the emulator core. */
export interface HubHost {
  options: { appId: string; appSecret: string };
  ackTimeoutMs: number;
  clock(): Date;
  /** the emulator's `botUnreachable` fault: no client gets anything */
  unreachable(): boolean;
}

interface Conn {
  socket: WebSocket;
  info: WsConnectionInfo;
}

interface PendingAck {
  /** the ack frame, undefined on timeout, null when the socket closed first */
  resolve(frame: Frame | undefined | null): void;
  timer: NodeJS.Timeout;
  conn: Conn;
}

export interface LongConnectionHubOptions {
  clientConfig?: Partial<WsClientConfig>;
  fragmentBytes?: number;
}

export class LongConnectionHub implements LongConnectionControl {
  readonly clientConfig: WsClientConfig;
  private readonly fragmentBytes: number;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly tickets = new Map<string, { deviceId: string; serviceId: number; expiresAt: number }>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly frameLog: WsFrameRecord[] = [];
  private readonly waiters = new Set<() => void>();
  private refusing = false;
  private seq = 0;
  handshakes = 0;

  constructor(
    private readonly host: HubHost,
    options: LongConnectionHubOptions = {},
  ) {
    this.clientConfig = { ...FEISHU_WS_CLIENT_CONFIG, ...options.clientConfig };
    this.fragmentBytes = Math.max(1, options.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES);
  }

  /** POST /callback/ws/endpoint */
  router(): Router {
    const router = express.Router();
    router.post(WS_ENDPOINT_PATH, express.json({ type: () => true }), (req, res) => {
      const body = (req.body ?? {}) as { AppID?: unknown; AppSecret?: unknown };
      if (body.AppID !== this.host.options.appId || body.AppSecret !== this.host.options.appSecret) {
        // The SDK's ErrorCode.auth_failed: not retried, the client reports onError.
        res.json({ code: 514, msg: 'auth failed: app_id or app_secret is invalid', data: {} });
        return;
      }
      if (this.conns.size >= MAX_CONNECTIONS) {
        res.json({ code: 1000040350, msg: `exceed connection limit (${MAX_CONNECTIONS} per app)`, data: {} });
        return;
      }
      const deviceId = String(7_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
      const serviceId = 33554678;
      const ticket = randomUUID();
      this.tickets.set(ticket, { deviceId, serviceId, expiresAt: Date.now() + TICKET_TTL_MS });
      const wsHost = req.get('host') ?? '127.0.0.1';
      const accessKey = randomBytes(16).toString('hex');
      // Same shape as Feishu's (wss://msg-frontier.feishu.cn/ws/v2?fpid=…&device_id=…&service_id=…&ticket=…).
      const url = `ws://${wsHost}${WS_PATH}?fpid=493&aid=552564&device_id=${deviceId}&access_key=${accessKey}&service_id=${serviceId}&ticket=${ticket}`;
      res.json({ code: 0, msg: 'ok', data: { URL: url, ClientConfig: this.clientConfig } });
    });
    return router;
  }

  /** Serve WebSocket upgrades on WS_PATH of an HTTP server (other upgrade paths are left alone). */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname !== WS_PATH) return;
      const ticket = url.searchParams.get('ticket') ?? '';
      const issued = this.tickets.get(ticket);
      this.tickets.delete(ticket);
      if (this.refusing || this.host.unreachable()) return reject(socket, 503, 'Service Unavailable');
      if (!issued || issued.expiresAt < Date.now()) return reject(socket, 403, 'Forbidden');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, issued.deviceId, issued.serviceId));
    });
  }

  private accept(socket: WebSocket, deviceId: string, serviceId: number): void {
    this.handshakes += 1;
    const conn: Conn = { socket, info: { deviceId, serviceId, connectedAt: this.host.clock(), pings: 0 } };
    this.conns.add(conn);
    socket.on('message', (data: Buffer) => this.onFrame(conn, data));
    socket.on('close', () => this.closed(conn));
    socket.on('error', () => this.closed(conn));
  }

  /** A socket gone: pushes still waiting for its ack fail now rather than at the deadline. */
  private closed(conn: Conn): void {
    this.conns.delete(conn);
    for (const [id, p] of this.pending) {
      if (p.conn !== conn) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(null);
    }
  }

  private onFrame(conn: Conn, data: Buffer): void {
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return;
    }
    const type = header(frame, 'type') ?? '';
    this.log({ direction: 'in', type, method: frame.method, bytes: data.length, messageId: header(frame, 'message_id') });
    if (frame.method === FRAME_CONTROL && type === 'ping') {
      conn.info.pings += 1;
      if (conn.info.pings === 1) for (const w of [...this.waiters]) w();
      this.send(conn, { SeqID: 0, LogID: 0, service: frame.service, method: FRAME_CONTROL, headers: [{ key: 'type', value: 'pong' }], payload: new TextEncoder().encode(JSON.stringify(this.clientConfig)) });
      return;
    }
    if (frame.method === FRAME_DATA) {
      const id = header(frame, 'message_id');
      const p = id ? this.pending.get(id) : undefined;
      if (!p || !id) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(frame);
    }
  }

  private send(conn: Conn, frame: Frame): void {
    const bytes = encodeFrame(frame);
    this.log({ direction: 'out', type: header(frame, 'type') ?? '', method: frame.method, bytes: bytes.length, messageId: header(frame, 'message_id'), sum: numberOr(header(frame, 'sum')), seq: numberOr(header(frame, 'seq')) });
    conn.socket.send(bytes);
  }

  private log(rec: Omit<WsFrameRecord, 'at'>): void {
    const entry: WsFrameRecord = { at: this.host.clock(), direction: rec.direction, type: rec.type, method: rec.method, bytes: rec.bytes };
    if (rec.messageId !== undefined) entry.messageId = rec.messageId;
    if (rec.sum !== undefined) entry.sum = rec.sum;
    if (rec.seq !== undefined) entry.seq = rec.seq;
    this.frameLog.push(entry);
    if (this.frameLog.length > FRAME_LOG_CAP) this.frameLog.splice(0, this.frameLog.length - FRAME_LOG_CAP);
  }

  /** Push one event or callback envelope to one connected client and wait for its ack. */
  async deliver(envelope: Record<string, unknown>): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const open = this.ready();
    if (this.host.unreachable() || open.length === 0) return { ok: false, ms: 0, error: 'no long connection is open', failure: 'connect' };
    const conn = open[Math.floor(Math.random() * open.length)]!;
    const messageId = randomUUID();
    const traceId = randomUUID();
    const payload = new TextEncoder().encode(JSON.stringify(envelope));
    const sum = Math.max(1, Math.ceil(payload.length / this.fragmentBytes));
    const ack = new Promise<Frame | undefined | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        resolve(undefined);
      }, this.host.ackTimeoutMs);
      this.pending.set(messageId, { resolve, timer, conn });
    });
    const seqId = ++this.seq;
    for (let i = 0; i < sum; i += 1) {
      this.send(conn, {
        SeqID: seqId,
        LogID: seqId,
        service: conn.info.serviceId,
        method: FRAME_DATA,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(sum) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: traceId },
        ],
        payload: payload.subarray(i * this.fragmentBytes, (i + 1) * this.fragmentBytes),
        LogIDNew: `${traceId}_${i}`,
      });
    }
    const reply = await ack;
    const ms = elapsed();
    if (reply === null) return { ok: false, ms, error: 'connection closed before the ack', failure: 'connect' };
    if (!reply) return { ok: false, ms, error: `no ack within ${this.host.ackTimeoutMs} ms`, failure: 'timeout' };
    let body: { code?: unknown; data?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(reply.payload ?? new Uint8Array())) as typeof body;
    } catch {
      return { ok: false, ms, error: 'ack payload is not JSON', failure: 'http' };
    }
    const code = typeof body.code === 'number' ? body.code : 0;
    const bodyText = typeof body.data === 'string' ? Buffer.from(body.data, 'base64').toString('utf8') : '';
    if (code !== 200) return { ok: false, httpStatus: code, ms, error: `ack code ${code}`, failure: 'http', bodyText };
    return { ok: true, httpStatus: 200, ms, bodyText };
  }

  /**
   * Open connections whose client has pinged: the SDK pings the moment the socket opens but attaches
   * its frame listener a tick later, so a frame sent before the first ping could fall on the floor.
   */
  private ready(): Conn[] {
    return [...this.conns].filter((c) => c.socket.readyState === WebSocket.OPEN && c.info.pings > 0);
  }

  connections(): WsConnectionInfo[] {
    return this.ready().map((c) => ({ ...c.info }));
  }

  frames(): WsFrameRecord[] {
    return [...this.frameLog];
  }

  async waitForConnection(timeoutMs = 10_000): Promise<void> {
    if (this.connections().length > 0) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`no long connection within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(done);
    });
  }

  drop(opts: { refuse?: boolean } = {}): void {
    if (opts.refuse !== undefined) this.refusing = opts.refuse;
    for (const c of [...this.conns]) {
      c.socket.terminate();
      this.closed(c);
    }
  }

  refuse(refuse: boolean): void {
    this.refusing = refuse;
  }

  close(): void {
    this.drop();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.waiters.clear();
    this.wss.close();
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function numberOr(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}
