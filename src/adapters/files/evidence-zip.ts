// The evidence package as a ZIP: written by archiver (a stream: entries are read one at a time,
// so a large pack never sits in memory when it goes to a file), read back by yauzl (tests, and
// anyone checking a pack).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Archiver } from 'archiver';
import yauzl from 'yauzl';
import type { ZipEntry } from '../../ports/files.ts';
export type { ZipEntry };

// archiver (and its zip-stream, compress-commons, readable-stream …) is loaded on first use, not
// at start: only the evidence export writes ZIPs (issue 17 goal 3, cold start and idle memory).
let archiverModule: Promise<typeof import('archiver')> | undefined;
const loadArchiver = () => (archiverModule ??= import('archiver'));

async function archive(entries: ZipEntry[], modified: Date): Promise<Archiver> {
  const { ZipArchive } = await loadArchiver();
  const zip = new ZipArchive({ zlib: { level: 6 } });
  for (const e of entries) {
    const name = e.name.replace(/\\/g, '/');
    const data = e.data;
    const source = Buffer.isBuffer(data)
      ? data
      : Readable.from(
          (async function* () {
            yield await data();
          })(),
        );
    zip.append(source, { name, date: modified, store: e.store === true });
  }
  void zip.finalize();
  return zip;
}

/** Streams the archive to `file` (written beside it, then renamed: never half a file). */
export async function writeZipFile(entries: ZipEntry[], file: string, modified = new Date()): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await pipeline(await archive(entries, modified), createWriteStream(tmp));
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The archive in memory (for sending through Feishu, whose upload needs the bytes anyway). */
export async function writeZipBuffer(entries: ZipEntry[], modified = new Date()): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await pipeline(await archive(entries, modified), sink);
  return Buffer.concat(chunks);
}

export interface ReadZipEntry {
  name: string;
  data: Buffer;
  /** stored without compression */
  store: boolean;
}

/** Every file entry of a ZIP (CRC checked by yauzl while reading). */
export function readZip(zip: Buffer): Promise<ReadZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (error, file) => {
      if (error || !file) return reject(error ?? new Error('not a zip file'));
      const out: ReadZipEntry[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(out));
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return file.readEntry();
        file.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks), store: entry.compressionMethod === 0 });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}
