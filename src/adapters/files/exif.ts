// A small JPEG EXIF reader (DateTimeOriginal, falling back to DateTime) with bounds checks on
// every read, plus a writer for tiny valid JPEGs with an EXIF block (tests and demo seeds).
// No dependencies: photos are only ever read here, never decoded.

export interface ExifInfo {
  /** 'YYYY:MM:DD HH:MM:SS' as stored */
  dateTimeOriginal?: string;
  /** the civil date of DateTimeOriginal (or DateTime), 'YYYY-MM-DD' */
  takenOn?: string;
}

const TAG_EXIF_IFD = 0x8769;
const TAG_DATETIME = 0x0132;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_IMAGE_DESCRIPTION = 0x010e;
const TYPE_ASCII = 2;
const TYPE_LONG = 4;

class Reader {
  constructor(
    private readonly b: Uint8Array,
    private readonly little: boolean,
  ) {}
  ok(offset: number, len: number): boolean {
    return offset >= 0 && offset + len <= this.b.length;
  }
  u16(o: number): number | undefined {
    if (!this.ok(o, 2)) return undefined;
    return this.little ? this.b[o]! | (this.b[o + 1]! << 8) : (this.b[o]! << 8) | this.b[o + 1]!;
  }
  u32(o: number): number | undefined {
    if (!this.ok(o, 4)) return undefined;
    const [a, b, c, d] = [this.b[o]!, this.b[o + 1]!, this.b[o + 2]!, this.b[o + 3]!];
    return (this.little ? (d << 24) | (c << 16) | (b << 8) | a : (a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  }
  ascii(o: number, len: number): string | undefined {
    if (!this.ok(o, len)) return undefined;
    let s = '';
    for (let i = 0; i < len; i++) {
      const ch = this.b[o + i]!;
      if (ch === 0) break;
      s += String.fromCharCode(ch);
    }
    return s;
  }
}

interface IfdEntry { tag: number; type: number; count: number; valueOffset: number }

function readIfd(r: Reader, offset: number): IfdEntry[] {
  const n = r.u16(offset);
  if (n === undefined || n > 512) return [];
  const out: IfdEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = offset + 2 + i * 12;
    const tag = r.u16(e);
    const type = r.u16(e + 2);
    const count = r.u32(e + 4);
    if (tag === undefined || type === undefined || count === undefined) break;
    // Values of 4 bytes or less sit in the entry itself; the offset field is then the value.
    const size = type === TYPE_ASCII ? count : type === TYPE_LONG ? 4 * count : 0;
    const valueOffset = size <= 4 ? e + 8 : (r.u32(e + 8) ?? -1);
    out.push({ tag, type, count, valueOffset });
  }
  return out;
}

function asciiValue(r: Reader, tiff: number, entry: IfdEntry | undefined): string | undefined {
  if (!entry || entry.type !== TYPE_ASCII || entry.count > 256) return undefined;
  const at = entry.count <= 4 ? entry.valueOffset : tiff + entry.valueOffset;
  return r.ascii(at, entry.count);
}

/** 'YYYY:MM:DD HH:MM:SS' → 'YYYY-MM-DD' when it is a real date. */
export function exifDateToCivil(value: string | undefined): string | undefined {
  const m = /^(\d{4}):(\d{2}):(\d{2})/.exec(value ?? '');
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso && Number(m[1]) > 1900 ? iso : undefined;
}

/** Reads the TIFF block of an APP1 Exif segment. */
function parseTiff(b: Uint8Array, tiff: number): ExifInfo {
  const order = String.fromCharCode(b[tiff] ?? 0, b[tiff + 1] ?? 0);
  if (order !== 'II' && order !== 'MM') return {};
  const r = new Reader(b, order === 'II');
  if (r.u16(tiff + 2) !== 42) return {};
  const ifd0 = r.u32(tiff + 4);
  if (ifd0 === undefined) return {};
  const entries = readIfd(r, tiff + ifd0);
  const dateTime = asciiValue(r, tiff, entries.find((e) => e.tag === TAG_DATETIME));
  let original: string | undefined;
  const exifPtr = entries.find((e) => e.tag === TAG_EXIF_IFD);
  if (exifPtr) {
    const exifOffset = r.u32(exifPtr.valueOffset);
    if (exifOffset !== undefined) original = asciiValue(r, tiff, readIfd(r, tiff + exifOffset).find((e) => e.tag === TAG_DATETIME_ORIGINAL));
  }
  const chosen = exifDateToCivil(original) ? original : exifDateToCivil(dateTime) ? dateTime : undefined;
  return { ...(chosen ? { dateTimeOriginal: chosen, takenOn: exifDateToCivil(chosen) } : {}) };
}

/** EXIF of a JPEG (empty for anything else or a JPEG without a usable EXIF block). Never throws. */
export function readJpegExif(bytes: Uint8Array): ExifInfo {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return {};
  let o = 2;
  while (o + 4 <= bytes.length) {
    if (bytes[o] !== 0xff) return {};
    const marker = bytes[o + 1]!;
    if (marker === 0xff) {
      o += 1; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return {}; // image data: no EXIF before it
    const len = (bytes[o + 2]! << 8) | bytes[o + 3]!;
    if (len < 2 || o + 2 + len > bytes.length) return {};
    if (marker === 0xe1 && len >= 8 && String.fromCharCode(...bytes.subarray(o + 4, o + 8)) === 'Exif' && bytes[o + 8] === 0 && bytes[o + 9] === 0) {
      const info = parseTiff(bytes.subarray(0, o + 2 + len), o + 10);
      if (info.takenOn) return info;
    }
    o += 2 + len;
  }
  return {};
}

// ---------------------------------------------------------------- writing (tests and demo seeds)

function asciiBytes(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0) & 0x7f);
}

/** An APP1 Exif segment (little-endian TIFF) with DateTimeOriginal and an optional description. */
export function buildExifSegment(o: { dateTimeOriginal?: string; description?: string; bigEndian?: boolean }): Uint8Array {
  const be = o.bigEndian === true;
  const out: number[] = [];
  const u16 = (v: number) => (be ? [(v >> 8) & 0xff, v & 0xff] : [v & 0xff, (v >> 8) & 0xff]);
  const u32 = (v: number) => (be ? [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff] : [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
  const desc = o.description ? [...asciiBytes(o.description), 0] : undefined;
  const dto = o.dateTimeOriginal ? [...asciiBytes(o.dateTimeOriginal.slice(0, 19)), 0] : undefined;
  const ifd0Count = (desc ? 1 : 0) + (dto ? 1 : 0);
  const ifd0Size = 2 + 12 * ifd0Count + 4;
  const descOffset = 8 + ifd0Size;
  const exifIfdOffset = descOffset + (desc && desc.length > 4 ? desc.length : 0);
  const exifIfdSize = 2 + 12 + 4;
  const dtoOffset = exifIfdOffset + exifIfdSize;
  const tiff: number[] = [...(be ? [0x4d, 0x4d] : [0x49, 0x49]), ...u16(42), ...u32(8), ...u16(ifd0Count)];
  if (desc) tiff.push(...u16(TAG_IMAGE_DESCRIPTION), ...u16(TYPE_ASCII), ...u32(desc.length), ...(desc.length > 4 ? u32(descOffset) : [...desc, 0, 0, 0, 0].slice(0, 4)));
  if (dto) tiff.push(...u16(TAG_EXIF_IFD), ...u16(TYPE_LONG), ...u32(1), ...u32(exifIfdOffset));
  tiff.push(...u32(0));
  if (desc && desc.length > 4) tiff.push(...desc);
  if (dto) {
    tiff.push(...u16(1), ...u16(TAG_DATETIME_ORIGINAL), ...u16(TYPE_ASCII), ...u32(dto.length), ...u32(dtoOffset), ...u32(0));
    tiff.push(...dto);
  }
  const payload = [...asciiBytes('Exif'), 0, 0, ...tiff];
  const len = payload.length + 2;
  out.push(0xff, 0xe1, (len >> 8) & 0xff, len & 0xff, ...payload);
  return Uint8Array.from(out);
}

/**
 * A tiny valid baseline JPEG (8×8 grey) with an optional EXIF block. The entropy-coded data is
 * one block with DC difference 0 and an immediate end-of-block, coded with one-symbol tables.
 */
export function tinyJpeg(o: { dateTimeOriginal?: string; description?: string; padTo?: number; bigEndian?: boolean } = {}): Buffer {
  const parts: number[] = [0xff, 0xd8];
  if (o.dateTimeOriginal || o.description) parts.push(...buildExifSegment(o));
  parts.push(0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array<number>(64).fill(1)); // DQT
  parts.push(0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00); // SOF0 8×8, 1 component
  const oneSymbolTable = (tc: number) => [0xff, 0xc4, 0x00, 0x14, tc, 1, ...new Array<number>(15).fill(0), 0x00];
  parts.push(...oneSymbolTable(0x00), ...oneSymbolTable(0x10)); // DHT DC0, AC0
  const head = Buffer.from(parts);
  const tail = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x3f, 0xff, 0xd9]); // SOS, data, EOI
  const pads: Buffer[] = [];
  // COM segments (at most 65533 bytes each) to reach a wanted size, e.g. an over-large photo
  let remaining = (o.padTo ?? 0) - head.length - tail.length;
  while (remaining > 4) {
    const n = Math.min(remaining - 4, 65000);
    const seg = Buffer.alloc(n + 4, 0x20);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(n + 2, 2);
    pads.push(seg);
    remaining -= n + 4;
  }
  return Buffer.concat([head, ...pads, tail]);
}
