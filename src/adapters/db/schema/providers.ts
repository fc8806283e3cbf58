import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The two databases the same build runs on. */
export const PROVIDERS = ['sqlite', 'postgresql'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The project root: the nearest folder above this file with a package.json (works from src/ and from dist/). */
export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prisma'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '../../../..');
  }
}
export const MODELS_FILE = path.join(ROOT, 'prisma', 'models.prisma');

export function schemaFile(provider: Provider): string {
  return path.join(ROOT, 'prisma', provider, 'schema.prisma');
}

export function migrationsDir(provider: Provider): string {
  return path.join(ROOT, 'prisma', provider, 'migrations');
}

/** The datamodel the last migration was written for; `db:migration` diffs against it. */
export function snapshotFile(provider: Provider): string {
  return path.join(migrationsDir(provider), 'schema.snapshot.prisma');
}

/** Where each provider's Prisma client is generated (by `npm run db:generate`, which npm's `prepare` runs at install). */
export function clientDir(provider: Provider): string {
  return path.join(ROOT, 'src', 'adapters', 'db', 'generated', provider);
}

/**
 * The client's preview features. `relationJoins` (PostgreSQL only; Prisma has it for PostgreSQL,
 * CockroachDB and MySQL, not SQLite) loads an `include` in the same statement as its parent
 * (LATERAL joins with JSON aggregation) instead of one more statement per relation: the simulated
 * campaign year sends 15,619 statements to PostgreSQL instead of 18,178, each a round trip to the
 * server (longer still when the database is on another host).
 * https://www.prisma.io/docs/orm/v6/reference/preview-features/client-preview-features
 */
function previewFeatures(provider: Provider): string[] {
  return ['queryCompiler', 'driverAdapters', ...(provider === 'postgresql' ? ['relationJoins'] : [])];
}

/**
 * Render the per-provider schema from the shared models. The header is the only difference;
 * the output path is relative to the schema file, as Prisma resolves it.
 */
export function renderSchema(provider: Provider, models = readFileSync(MODELS_FILE, 'utf8')): string {
  const output = path
    .relative(path.dirname(schemaFile(provider)), clientDir(provider))
    .split(path.sep)
    .join('/');
  const header = [
    '// GENERATED from prisma/models.prisma by `npm run db:schema`. Do not edit by hand.',
    '',
    'generator client {',
    '  provider        = "prisma-client"',
    `  output          = "${output}"`,
    '  engineType      = "client"',
    `  previewFeatures = [${previewFeatures(provider)
      .map((f) => `"${f}"`)
      .join(', ')}]`,
    '}',
    '',
    'datasource db {',
    `  provider = "${provider}"`,
    // Prisma 6 requires a url here; the app and the CLI connect through the driver adapter instead.
    `  url      = "${provider === 'sqlite' ? 'file:../../data/themeday.db' : 'postgresql://postgres@127.0.0.1:5432/test'}"`,
    '}',
    '',
  ].join('\n');
  return header + models;
}
