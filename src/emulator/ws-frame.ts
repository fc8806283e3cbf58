// The long connection's wire format: protobuf message `pbbp2.Frame` exactly as @larksuiteoapi/node-sdk
// 1.74 bundles it (lib/index.js, "pbbp2.Frame" / "pbbp2.Header"). Encoded by hand so the emulator does
// not depend on the SDK's private codec; test/emulator/long-connection.test.ts checks both agree.
//
//   message Header { required string key = 1; required string value = 2; }
//   message Frame  { required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3;
//                    required int32 method = 4; repeated Header headers = 5; optional string payloadEncoding = 6;
//                    optional string payloadType = 7; optional bytes payload = 8; optional string LogIDNew = 9; }

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  /** 0 = control (ping/pong), 1 = data (event, card) */
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

export const FRAME_CONTROL = 0;
export const FRAME_DATA = 1;

function varint(out: number[], value: number): void {
  let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function bytesField(out: number[], field: number, bytes: Uint8Array): void {
  varint(out, (field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8');

function encodeHeader(h: FrameHeader): Uint8Array {
  const out: number[] = [];
  bytesField(out, 1, utf8.encode(h.key));
  bytesField(out, 2, utf8.encode(h.value));
  return Uint8Array.from(out);
}

/** The Frame's field numbers: varints (service and method are int32, the ids uint64), then headers (5) and the optional byte fields. */
const NUMBER_FIELDS = [
  [1, 'SeqID', false],
  [2, 'LogID', false],
  [3, 'service', true],
  [4, 'method', true],
] as const;
const HEADER_FIELD = 5;
/** payload is raw bytes; the others are UTF-8 text */
const BYTES_FIELDS = [
  [6, 'payloadEncoding'],
  [7, 'payloadType'],
  [8, 'payload'],
  [9, 'LogIDNew'],
] as const;

export function encodeFrame(f: Frame): Uint8Array {
  const out: number[] = [];
  for (const [field, key] of NUMBER_FIELDS) {
    varint(out, (field << 3) | 0);
    varint(out, f[key]);
  }
  for (const h of f.headers) bytesField(out, HEADER_FIELD, encodeHeader(h));
  for (const [field, key] of BYTES_FIELDS) {
    const value = f[key];
    if (value !== undefined) bytesField(out, field, typeof value === 'string' ? utf8.encode(value) : value);
  }
  return Uint8Array.from(out);
}

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly end = buf.length,
  ) {}
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let shift = 0n;
    let result = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated bytes');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function decodeHeader(bytes: Uint8Array): FrameHeader {
  const r = new Reader(bytes);
  const h: FrameHeader = { key: '', value: '' };
  while (!r.done()) {
    const tag = Number(r.varint());
    if (tag >>> 3 === 1) h.key = fromUtf8.decode(r.bytes());
    else if (tag >>> 3 === 2) h.value = fromUtf8.decode(r.bytes());
    else r.skip(tag & 7);
  }
  return h;
}

export function decodeFrame(buf: Uint8Array): Frame {
  const r = new Reader(buf);
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  while (!r.done()) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const number = NUMBER_FIELDS.find(([n]) => n === field);
    const bytes = BYTES_FIELDS.find(([n]) => n === field);
    if (number) {
      const [, key, int32] = number;
      const v = r.varint();
      f[key] = Number(int32 ? BigInt.asIntN(32, v) : v);
    } else if (field === HEADER_FIELD) f.headers.push(decodeHeader(r.bytes()));
    else if (bytes?.[1] === 'payload') f.payload = Uint8Array.from(r.bytes());
    else if (bytes) f[bytes[1]] = fromUtf8.decode(r.bytes());
    else r.skip(tag & 7);
  }
  return f;
}

export function header(f: Frame, key: string): string | undefined {
  return f.headers.find((h) => h.key === key)?.value;
}
