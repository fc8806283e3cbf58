// The request log's levels: a page closing its live-update stream is routine (a Chromium pass
// found a warning per closed tab in the local server's log); a request cut off mid-answer is not.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { requestLog } from '../../src/adapters/http/request-log.ts';
import type { Logger } from '../../src/app/log.ts';

type Line = { level: string; msg: string; fields?: Record<string, unknown> };

function capturing(lines: Line[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

describe('request log', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  async function start(lines: Line[]): Promise<string> {
    const app = express();
    app.use(requestLog(capturing(lines)));
    app.get('/stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"type":"hello"}\n\n');
    });
    app.get('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Reads the first chunk of the answer, then goes away as a closing tab does. */
  async function leaveAfterFirstChunk(url: string): Promise<void> {
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
  }

  const settled = async (lines: Line[], n: number) => {
    for (let i = 0; i < 100 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('logs a closed event stream at debug, a request cut off mid-answer at warn, a finished one at debug', async () => {
    const lines: Line[] = [];
    const url = await start(lines);
    await leaveAfterFirstChunk(`${url}/stream`);
    await settled(lines, 1);
    await leaveAfterFirstChunk(`${url}/slow`);
    await settled(lines, 2);
    await fetch(`${url}/ok`);
    await settled(lines, 3);
    expect(lines.map((l) => `${l.level} ${l.msg} ${String((l.fields?.req as { url: string }).url)}`)).toEqual(['debug stream closed /stream', 'warn request aborted /slow', 'debug request completed /ok']);
  });
});
