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

export function encodeFrame(f: Frame): Uint8Array {
  const out: number[] = [];
  varint(out, (1 << 3) | 0);
  varint(out, f.SeqID);
  varint(out, (2 << 3) | 0);
  varint(out, f.LogID);
  varint(out, (3 << 3) | 0);
  varint(out, f.service);
  varint(out, (4 << 3) | 0);
  varint(out, f.method);
  for (const h of f.headers) bytesField(out, 5, encodeHeader(h));
  if (f.payloadEncoding !== undefined) bytesField(out, 6, utf8.encode(f.payloadEncoding));
  if (f.payloadType !== undefined) bytesField(out, 7, utf8.encode(f.payloadType));
  if (f.payload !== undefined) bytesField(out, 8, f.payload);
  if (f.LogIDNew !== undefined) bytesField(out, 9, utf8.encode(f.LogIDNew));
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
    switch (tag >>> 3) {
      case 1:
        f.SeqID = Number(r.varint());
        break;
      case 2:
        f.LogID = Number(r.varint());
        break;
      case 3:
        f.service = Number(BigInt.asIntN(32, r.varint()));
        break;
      case 4:
        f.method = Number(BigInt.asIntN(32, r.varint()));
        break;
      case 5:
        f.headers.push(decodeHeader(r.bytes()));
        break;
      case 6:
        f.payloadEncoding = fromUtf8.decode(r.bytes());
        break;
      case 7:
        f.payloadType = fromUtf8.decode(r.bytes());
        break;
      case 8:
        f.payload = Uint8Array.from(r.bytes());
        break;
      case 9:
        f.LogIDNew = fromUtf8.decode(r.bytes());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return f;
}

export function header(f: Frame, key: string): string | undefined {
  return f.headers.find((h) => h.key === key)?.value;
}
