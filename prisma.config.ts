// Prisma CLI configuration. The CLI runs with the JavaScript schema engine through a driver
// adapter, so it never needs the Rust engines (which cannot be downloaded on air-gapped servers).
// THEMEDAY_PRISMA_PROVIDER picks the schema; the app itself applies migrations at start-up
// (src/adapters/db/migrate.ts) and does not need this file.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

const provider = process.env.THEMEDAY_PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: path.join('prisma', provider, 'schema.prisma'),
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () =>
    provider === 'postgresql'
      ? new PrismaPg({ connectionString: process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : 'postgresql://postgres@127.0.0.1:5432/test' })
      : // `migrate diff` between datamodels needs a connection but no data: an in-memory database serves.
        new PrismaBetterSQLite3({ url: process.env.DATABASE_URL?.startsWith('file:') ? process.env.DATABASE_URL : ':memory:' }),
});
