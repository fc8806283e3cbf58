// Photo dates from EXIF, read by exifr: DateTimeOriginal, falling back to DateTime (IFD0).
// Photos are only ever read here, never decoded.
import exifr from 'exifr';
import type { ExifInfo } from '../../ports/files.ts';
export type { ExifInfo };

/** 'YYYY:MM:DD HH:MM:SS' → 'YYYY-MM-DD' when it is a real date. */
export function exifDateToCivil(value: string | undefined): string | undefined {
  const m = /^(\d{4}):(\d{2}):(\d{2})/.exec(value ?? '');
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso && Number(m[1]) > 1900 ? iso : undefined;
}

/** EXIF dates of a JPEG (empty for anything else or a JPEG without a usable date). Never throws. */
export async function readJpegExif(bytes: Uint8Array): Promise<ExifInfo> {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return {};
  let tags: { DateTimeOriginal?: unknown; DateTime?: unknown; ModifyDate?: unknown } | undefined;
  try {
    // Raw strings: revived Dates would be read in the server's time zone.
    tags = await exifr.parse(Buffer.from(bytes), { pick: ['DateTimeOriginal', 'DateTime', 'ModifyDate'], reviveValues: false, translateValues: false });
  } catch {
    return {};
  }
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);
  const original = text(tags?.DateTimeOriginal);
  const dateTime = text(tags?.DateTime) ?? text(tags?.ModifyDate);
  const chosen = exifDateToCivil(original) ? original : exifDateToCivil(dateTime) ? dateTime : undefined;
  return chosen ? { dateTimeOriginal: chosen, takenOn: exifDateToCivil(chosen)! } : {};
}
