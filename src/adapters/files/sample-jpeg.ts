// Tiny valid JPEGs with an EXIF block, for tests and demo seeds (photos the bot reads are parsed by
// exifr in exif.ts; this file only writes).

const TAG_EXIF_IFD = 0x8769;
const TAG_DATETIME_ORIGINAL = 0x9003;
const TAG_IMAGE_DESCRIPTION = 0x010e;
const TYPE_ASCII = 2;
const TYPE_LONG = 4;

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
