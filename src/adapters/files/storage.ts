// Photos and generated files in a local folder. Stored paths are relative ('photos/…'); anything
// that could leave the root (absolute, '..', NUL, backslashes) is refused.
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileStorage } from '../../ports/storage.ts';

export class UnsafePathError extends Error {
  constructor(p: string) {
    super(`unsafe storage path: ${JSON.stringify(p)}`);
    this.name = 'UnsafePathError';
  }
}

/** Validates a relative path and returns it in canonical '/' form. */
export function safeRelativePath(p: string): string {
  if (typeof p !== 'string' || p === '' || p.length > 500 || p.includes('\0') || p.includes('\\') || p.startsWith('/') || /^[A-Za-z]:/.test(p)) {
    throw new UnsafePathError(p);
  }
  const parts = p.split('/');
  if (parts.some((s) => s === '' || s === '.' || s === '..')) throw new UnsafePathError(p);
  return parts.join('/');
}

export class LocalFileStorage implements FileStorage {
  readonly root: string;
  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  private resolve(relativePath: string): string {
    const rel = safeRelativePath(relativePath);
    const full = path.resolve(this.root, rel);
    if (!full.startsWith(this.root + path.sep)) throw new UnsafePathError(relativePath);
    return full;
  }

  async put(relativePath: string, data: Buffer): Promise<string> {
    const full = this.resolve(relativePath);
    await mkdir(path.dirname(full), { recursive: true });
    // Write-then-rename so a reader never sees half a file.
    const tmp = `${full}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, full);
    return safeRelativePath(relativePath);
  }

  async get(storedPath: string): Promise<Buffer> {
    return readFile(this.resolve(storedPath));
  }

  async remove(storedPath: string): Promise<void> {
    await rm(this.resolve(storedPath), { force: true });
  }
}
