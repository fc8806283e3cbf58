// `npm run db:migration -- <name>`: writes a new migration for both providers by diffing the
// datamodel of the last migration (migrations/schema.snapshot.prisma) against the current one.
// Works offline: `prisma migrate diff` between two datamodels needs no database and no Rust engine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROVIDERS, ROOT, migrationsDir, renderSchema, schemaFile, snapshotFile, type Provider } from './providers.ts';

const name = (process.argv[2] ?? '').trim();
if (!/^[a-z0-9_]+$/.test(name)) {
  console.error('用法 / usage: npm run db:migration -- <name>   (lower-case letters, digits and _)');
  process.exit(2);
}

function diff(provider: Provider): string {
  const snapshot = snapshotFile(provider);
  const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
  return execFileSync('npx', ['prisma', 'migrate', 'diff', ...from, '--to-schema-datamodel', schemaFile(provider), '--script'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, THEMEDAY_PRISMA_PROVIDER: provider, DATABASE_URL: '' },
  });
}

const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
let wrote = 0;
for (const provider of PROVIDERS) {
  // The schema files must be current before diffing.
  if (readFileSync(schemaFile(provider), 'utf8') !== renderSchema(provider)) {
    console.error(`prisma/${provider}/schema.prisma is out of date: run npm run db:schema first`);
    process.exit(1);
  }
  const sql = diff(provider);
  if (/^-- This is an empty migration\.\s*$/m.test(sql) || sql.trim() === '') {
    // Nothing for the database, but the generator block may have changed (a preview feature):
    // the snapshot follows it, so the drift test compares like with like.
    const schema = readFileSync(schemaFile(provider), 'utf8');
    if (existsSync(snapshotFile(provider)) && readFileSync(snapshotFile(provider), 'utf8') !== schema) {
      writeFileSync(snapshotFile(provider), schema);
      console.log(`${provider}: no changes to the database; snapshot updated (generator block)`);
    } else console.log(`${provider}: no changes`);
    continue;
  }
  const dir = path.join(migrationsDir(provider), `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'migration.sql'), sql);
  writeFileSync(snapshotFile(provider), readFileSync(schemaFile(provider), 'utf8'));
  if (!existsSync(path.join(migrationsDir(provider), 'migration_lock.toml'))) {
    writeFileSync(path.join(migrationsDir(provider), 'migration_lock.toml'), `provider = "${provider}"\n`);
  }
  console.log(`${provider}: wrote ${path.relative(ROOT, dir)}/migration.sql`);
  wrote++;
}
if (wrote === 0) console.log('nothing to do');
