// Writes prisma/<provider>/schema.prisma from prisma/models.prisma and regenerates both clients.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROVIDERS, ROOT, renderSchema, schemaFile } from './providers.ts';

for (const provider of PROVIDERS) {
  const file = schemaFile(provider);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderSchema(provider));
  execFileSync('npx', ['prisma', 'generate', '--schema', file], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, THEMEDAY_PRISMA_PROVIDER: provider },
  });
  console.log(`wrote ${path.relative(ROOT, file)} and its client`);
}
