// The link checker fetches URLs that liaisons type, from inside a government network: it must not
// become a way into the intranet (server-side request forgery). Only loopback servers are used
// here; private and metadata addresses are refused before any socket is opened.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkChecker, type Resolver } from '../../src/adapters/http/link-checker.ts';
import { blockedReason, parseAllowlist } from '../../src/adapters/http/address-policy.ts';
import { loadConfig } from '../../src/config.ts';

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'unique local'],
    ['fc00::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:7f00:1', 'loopback (IPv4 inside IPv6)'],
    ['[::ffff:a9fe:a9fe]', 'link-local (IPv4 inside IPv6)'],
    ['::ffff:192.168.0.1', 'private (IPv4 inside IPv6)'],
    ['64:ff9b::10.0.0.1', 'private (IPv4 inside IPv6)'],
    ['2002:c0a8:0101::1', 'private (IPv4 inside IPv6)'],
    ['::127.0.0.1', 'loopback (IPv4 inside IPv6)'],
  ])('%s is refused (%s)', (address, why) => {
    expect(blockedReason(address)).toBe(why);
  });

  it.each(['8.8.8.8', '114.114.114.114', '172.32.0.1', '100.128.0.1', '2400:3200::1', '240e:1::1', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(blockedReason(address)).toBeNull();
  });

  it('the allowlist names hosts, suffixes, addresses and ranges', () => {
    const allow = parseAllowlist('portal.county.gov.cn, *.intra.gov.cn 10.20.0.0/16,fd00::5');
    expect(allow.allows('portal.county.gov.cn', '10.9.9.9')).toBe(true);
    expect(allow.allows('PORTAL.county.gov.cn.', '10.9.9.9')).toBe(true);
    expect(allow.allows('a.b.intra.gov.cn', '192.168.1.1')).toBe(true);
    expect(allow.allows('intra.gov.cn.evil.com', '192.168.1.1')).toBe(false);
    expect(allow.allows('x.cn', '10.20.7.7')).toBe(true);
    expect(allow.allows('x.cn', '::ffff:10.20.7.7')).toBe(true);
    expect(allow.allows('x.cn', '10.21.0.1')).toBe(false);
    expect(allow.allows('x.cn', 'fd00::5')).toBe(true);
    expect(allow.allows('x.cn', 'fd00::6')).toBe(false);
    expect(() => parseAllowlist('10.0.0.0/33')).toThrow();
    expect(() => parseAllowlist('http://x')).toThrow();
  });

  it('LINK_CHECK_ALLOW is checked at start-up', () => {
    expect(loadConfig({ LINK_CHECK_ALLOW: '10.0.0.0/8, portal.county.gov.cn' }).linkCheckAllow).toBe('10.0.0.0/8,portal.county.gov.cn');
    expect(loadConfig({}).linkCheckAllow).toBe('');
    expect(() => loadConfig({ LINK_CHECK_ALLOW: 'not a host!' })).toThrow(/LINK_CHECK_ALLOW/);
  });
});

describe('link checker against local servers', () => {
  const hits: string[] = [];
  let main: http.Server; // 127.0.0.1: the "intranet" service an attacker wants to reach
  let other: http.Server; // 127.0.0.2: stands in for an allowlisted intranet portal
  let mainBase = '';
  let otherPort = 0;
  const sockets = new Set<import('node:net').Socket>();

  const serve = (name: string) =>
    http.createServer((req, res) => {
      hits.push(`${name} ${req.method} ${req.url}`);
      if (req.headers.authorization || req.headers.cookie) return res.writeHead(400).end();
      if (req.url === '/ok') return res.writeHead(200).end('ok');
      if (req.url === '/to-main') return res.writeHead(302, { location: mainBase + '/secret' }).end();
      if (req.url === '/to-private') return res.writeHead(302, { location: 'http://10.0.0.1/admin' }).end();
      if (req.url === '/to-metadata') return res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/to-mapped') return res.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${(main.address() as AddressInfo).port}/secret` }).end();
      if (req.url === '/to-name') return res.writeHead(302, { location: `http://internal.example:${(main.address() as AddressInfo).port}/secret` }).end();
      if (req.url?.startsWith('/hop')) {
        const n = Number(req.url.slice(4));
        return res.writeHead(302, { location: `/hop${n + 1}` }).end();
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (req.url === '/huge-header') return res.writeHead(200, { 'x-junk': 'a'.repeat(64 * 1024) }).end();
      res.writeHead(404).end();
    });

  beforeAll(async () => {
    main = serve('main');
    other = serve('other');
    for (const s of [main, other]) {
      s.on('connection', (c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
      });
    }
    await new Promise<void>((r) => main.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    mainBase = `http://127.0.0.1:${(main.address() as AddressInfo).port}`;
    otherPort = (other.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([main, other].map((s) => new Promise((r) => s.close(r))));
  });

  const resolver =
    (table: Record<string, string[]>): Resolver =>
    async (host) => {
      const answer = table[host];
      if (!answer) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return answer.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  it('refuses loopback by default and allows it through the allowlist', async () => {
    hits.length = 0;
    expect(await createLinkChecker().check(`${mainBase}/ok`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await createLinkChecker().check(`http://[::1]:${(main.address() as AddressInfo).port}/ok`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await createLinkChecker().check(`http://[::ffff:127.0.0.1]:${(main.address() as AddressInfo).port}/ok`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await createLinkChecker().check(`http://0x7f000001:${(main.address() as AddressInfo).port}/ok`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await createLinkChecker().check(`http://localhost:${(main.address() as AddressInfo).port}/ok`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(hits).toEqual([]);
    expect(await createLinkChecker({ allow: '127.0.0.1' }).check(`${mainBase}/ok`)).toMatchObject({ ok: true, status: 200 });
    expect(await createLinkChecker({ allow: '127.0.0.0/8' }).check(`${mainBase}/ok`)).toMatchObject({ ok: true, status: 200 });
    expect(hits).toEqual(['main HEAD /ok', 'main HEAD /ok']);
  });

  it('refuses private and metadata addresses without connecting', async () => {
    const checker = createLinkChecker({ timeoutMs: 200, resolve: resolver({ 'intranet.example': ['192.168.10.5'], 'meta.example': ['169.254.169.254'], 'v6.example': ['fd00::1'] }) });
    for (const url of [
      'http://10.0.0.1/',
      'http://172.20.1.1/',
      'http://192.168.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://intranet.example/',
      'http://meta.example/',
      'https://v6.example/',
    ]) {
      expect(await checker.check(url), url).toMatchObject({ ok: false, error: 'blocked' });
    }
  });

  it('a name answering with both a public and a private address is refused', async () => {
    const checker = createLinkChecker({ resolve: resolver({ 'mixed.example': ['8.8.8.8', '127.0.0.1'] }) });
    expect(await checker.check('http://mixed.example/')).toMatchObject({ ok: false, error: 'blocked' });
  });

  it('re-checks every redirect: to loopback, private, metadata, mapped IPv6 or a private name', async () => {
    hits.length = 0;
    const checker = createLinkChecker({ allow: '127.0.0.2', resolve: resolver({ 'internal.example': ['127.0.0.1'] }) });
    const start = `http://127.0.0.2:${otherPort}`;
    expect(await checker.check(`${start}/ok`)).toMatchObject({ ok: true, status: 200 });
    expect(await checker.check(`${start}/to-main`)).toMatchObject({ ok: false, error: 'blocked', finalUrl: `${mainBase}/secret` });
    expect(await checker.check(`${start}/to-private`)).toMatchObject({ ok: false, error: 'blocked', finalUrl: 'http://10.0.0.1/admin' });
    expect(await checker.check(`${start}/to-metadata`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await checker.check(`${start}/to-mapped`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(await checker.check(`${start}/to-name`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(hits.filter((h) => h.startsWith('main'))).toEqual([]);
  });

  it('follows at most 3 redirects', async () => {
    hits.length = 0;
    const checker = createLinkChecker({ allow: '127.0.0.2' });
    expect(await checker.check(`http://127.0.0.2:${otherPort}/hop0`)).toMatchObject({ ok: false, error: 'too_many_redirects' });
    expect(hits.filter((h) => h.includes('/hop'))).toEqual(['other HEAD /hop0', 'other HEAD /hop1', 'other HEAD /hop2', 'other HEAD /hop3']);
  });

  it('connects to the address it checked: a rebinding name server cannot switch it to another', async () => {
    hits.length = 0;
    // First answer: the allowlisted address; every later answer: the forbidden one.
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    };
    const checker = createLinkChecker({ allow: '127.0.0.2', resolve: rebinding });
    // HEAD is refused (404) so a GET follows: two connections, one resolution.
    expect(await checker.check(`http://rebind.example:${otherPort}/nothing`)).toMatchObject({ ok: false, status: 404 });
    expect(calls).toBe(1);
    expect(hits).toEqual(['other HEAD /nothing', 'other GET /nothing']);
    // The next link resolves afresh, gets the forbidden answer and is refused before connecting.
    expect(await checker.check(`http://rebind.example:${(main.address() as AddressInfo).port}/secret`)).toMatchObject({ ok: false, error: 'blocked' });
    expect(hits.filter((h) => h.startsWith('main'))).toEqual([]);
  });

  it('never reads a body and refuses oversized headers; no credentials are sent', async () => {
    const checker = createLinkChecker({ allow: '127.0.0.1', timeoutMs: 2000 });
    expect(await checker.check(`${mainBase}/big`)).toMatchObject({ ok: true, status: 200 });
    expect(await checker.check(`${mainBase}/huge-header`)).toMatchObject({ ok: false, error: 'network' });
    expect(await checker.check(`http://user:pass@127.0.0.1:${(main.address() as AddressInfo).port}/ok`)).toMatchObject({ ok: false, error: 'bad_url' });
    expect(await checker.check(`${mainBase}/${'a'.repeat(3000)}`)).toMatchObject({ ok: false, error: 'bad_url' });
    expect(await checker.check('file:///etc/passwd')).toMatchObject({ ok: false, error: 'bad_url' });
    expect(await checker.check('gopher://127.0.0.1:70/')).toMatchObject({ ok: false, error: 'bad_url' });
  });
});
