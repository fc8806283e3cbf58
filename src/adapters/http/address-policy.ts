// Which network addresses the link checker may connect to. Links are typed by liaisons and fetched
// from a server inside a government network, so every address that is not plainly public
// (loopback, private, link-local, carrier-grade NAT, cloud metadata, multicast, documentation and
// reserved ranges, in IPv4 and IPv6, IPv4 embedded in IPv6 included) is refused unless the
// operator's allowlist (LINK_CHECK_ALLOW) names it. Pure: no DNS, no sockets.
import { isIP } from 'node:net';

type Bytes = number[];

interface Range {
  bytes: Bytes;
  prefix: number;
  why: string;
}

function parseIPv4(s: string): Bytes | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: Bytes = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseIPv6(input: string): Bytes | null {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // a trailing dotted quad stands for the last two groups
    const v4 = parseIPv4(last);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const double = s.indexOf('::');
  const head = double >= 0 ? s.slice(0, double) : s;
  const rest = double >= 0 ? s.slice(double + 2) : undefined;
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  if (rest !== undefined && missing < 1) return null;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups];
  if (groups.length !== 8) return null;
  const out: Bytes = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 0xff);
  }
  return out;
}

/** 4 or 16 bytes for an IPv4 or IPv6 literal (brackets allowed), or null. */
export function parseIp(s: string): Bytes | null {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  if (isIP(bare) === 4) return parseIPv4(bare);
  return parseIPv6(bare);
}

function inRange(addr: Bytes, range: Range): boolean {
  if (addr.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

function cidr(text: string, why: string): Range {
  const [ip, prefix] = text.split('/') as [string, string];
  return { bytes: parseIp(ip)!, prefix: Number(prefix), why };
}

// IANA special-purpose registries (RFC 6890 and successors); everything here is "not the public internet".
const BLOCKED_V4: Range[] = [
  cidr('0.0.0.0/8', 'this network'),
  cidr('10.0.0.0/8', 'private'),
  cidr('100.64.0.0/10', 'carrier-grade NAT'), // also Alibaba Cloud's metadata 100.100.100.200
  cidr('127.0.0.0/8', 'loopback'),
  cidr('169.254.0.0/16', 'link-local'), // cloud metadata 169.254.169.254
  cidr('172.16.0.0/12', 'private'),
  cidr('192.0.0.0/24', 'IETF protocol assignments'),
  cidr('192.0.2.0/24', 'documentation'),
  cidr('192.88.99.0/24', '6to4 relay'),
  cidr('192.168.0.0/16', 'private'),
  cidr('198.18.0.0/15', 'benchmarking'),
  cidr('198.51.100.0/24', 'documentation'),
  cidr('203.0.113.0/24', 'documentation'),
  cidr('224.0.0.0/4', 'multicast'),
  cidr('240.0.0.0/4', 'reserved'),
];

const BLOCKED_V6: Range[] = [
  cidr('::/128', 'unspecified'),
  cidr('::1/128', 'loopback'),
  cidr('100::/64', 'discard'),
  cidr('64:ff9b:1::/48', 'local NAT64'),
  cidr('2001::/23', 'IETF protocol assignments'), // Teredo 2001::/32 included
  cidr('2001:db8::/32', 'documentation'),
  cidr('3fff::/20', 'documentation'),
  cidr('fc00::/7', 'unique local'), // AWS metadata fd00:ec2::254 included
  cidr('fe80::/10', 'link-local'),
  cidr('fec0::/10', 'site-local'),
  cidr('ff00::/8', 'multicast'),
];

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIPv4(b: Bytes): Bytes | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d
  if (zeros(0, 12)) return b.slice(12); // ::a.b.c.d (deprecated "compatible")
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 6to4 2002::/16
  return null;
}

/** Why an address must not be fetched (a short English reason), or null when it is public. */
export function blockedReason(address: string): string | null {
  const b = parseIp(address);
  if (!b) return 'not an IP address';
  if (b.length === 4) return BLOCKED_V4.find((r) => inRange(b, r))?.why ?? null;
  const v6 = BLOCKED_V6.find((r) => inRange(b, r))?.why;
  if (v6) return v6;
  const v4 = embeddedIPv4(b);
  const why = v4 ? BLOCKED_V4.find((r) => inRange(v4, r))?.why : undefined;
  return why ? `${why} (IPv4 inside IPv6)` : null;
}

export interface AddressAllowlist {
  /** true when the operator trusts this host name or this address */
  allows(hostname: string, address: string): boolean;
  readonly entries: readonly string[];
}

/**
 * Parses LINK_CHECK_ALLOW: comma/space separated host names (`portal.county.gov.cn`), host
 * suffixes (`*.county.gov.cn`), addresses (`10.1.2.3`, `fd00::5`) and CIDR ranges
 * (`10.20.0.0/16`). Throws on an entry that is none of these.
 */
export function parseAllowlist(text: string | undefined): AddressAllowlist {
  const entries = (text ?? '').split(/[,\s]+/).filter(Boolean);
  const ranges: Range[] = [];
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const [ip, prefixText] = entry.split('/') as [string, string | undefined];
    const bytes = parseIp(ip);
    if (bytes) {
      const max = bytes.length * 8;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (!/^\d{0,3}$/.test(prefixText ?? '') || !Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`bad CIDR prefix in "${entry}"`);
      ranges.push({ bytes, prefix, why: 'allowlisted' });
    } else if (/^\*\.[a-z0-9.-]+$/i.test(entry)) suffixes.push(entry.slice(1).toLowerCase());
    else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) names.add(entry.toLowerCase());
    else throw new Error(`"${entry}" is not a host name, address or CIDR range`);
  }
  return {
    entries,
    allows(hostname, address) {
      const host = hostname.toLowerCase().replace(/\.$/, '');
      if (names.has(host) || suffixes.some((s) => host.endsWith(s))) return true;
      const b = parseIp(address);
      if (!b) return false;
      const v4 = b.length === 16 ? embeddedIPv4(b) : null;
      return ranges.some((r) => inRange(b, r) || (v4 !== null && inRange(v4, r)));
    },
  };
}
