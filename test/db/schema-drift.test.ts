// The per-provider schema files are generated from prisma/models.prisma, and each provider's
// migrations were written for the current model. Either drifting fails with the fix to run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS, ROOT, renderSchema, schemaFile, snapshotFile } from '../../src/adapters/db/schema/providers.ts';

const rel = (file: string) => path.relative(ROOT, file);

describe.each(PROVIDERS)('%s schema', (provider) => {
  it('is generated from prisma/models.prisma', () => {
    const file = schemaFile(provider);
    expect(existsSync(file), `${rel(file)} is missing: run \`npm run db:schema\``).toBe(true);
    expect(readFileSync(file, 'utf8'), `${rel(file)} is out of date with prisma/models.prisma: run \`npm run db:schema\` and commit the result`).toBe(renderSchema(provider));
  });

  it('has a migration for every model change', () => {
    const snapshot = snapshotFile(provider);
    expect(existsSync(snapshot), `${rel(snapshot)} is missing: run \`npm run db:migration -- <name>\``).toBe(true);
    expect(readFileSync(snapshot, 'utf8'), `the data model changed without a migration for ${provider}: run \`npm run db:schema && npm run db:migration -- <short_name>\` and commit prisma/${provider}/migrations`).toBe(
      readFileSync(schemaFile(provider), 'utf8'),
    );
  });
});
