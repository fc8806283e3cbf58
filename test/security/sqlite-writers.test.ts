// SQLite: the CLI writing next to a live app. A transaction that reads, then writes after another
// process committed used to fail with SQLITE_BUSY_SNAPSHOT; with the write lock taken at BEGIN the
// other writer waits instead, and both succeed.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { enqueueMany } from '../../src/app/outbox.ts';
import { GOOD_ROWS, GOOD_UNITS, toCsv, tmpFile } from '../directory/fixtures.ts';
import { guardCell } from '../../src/adapters/files/submissions-export.ts';

describe('SQLite writers (app fan-out and CLI import at once)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.destroy());

  it('a CLI import during a fan-out transaction: both commit', async () => {
    const file = tmpFile('units.csv', toCsv(GOOD_ROWS));
    let cliExit: number | null | undefined;
    let cliOut = '';
    let cliDone: Promise<void> = Promise.resolve();
    await db.client.$transaction(
      async (tx) => {
        // The fan-out reads first (who gets the message) ...
        const before = await tx.unit.count();
        // ... meanwhile the coordinator runs the import from a shell on the same database.
        const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'units', 'import', file], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
        cli.stdout.on('data', (d: Buffer) => (cliOut += d.toString()));
        cli.stderr.on('data', (d: Buffer) => (cliOut += d.toString()));
        const exited = new Promise<void>((resolve) => cli.on('exit', (code) => ((cliExit = code), resolve())));
        cliDone = exited;
        // Give the CLI time to start and try to commit (it waits on the lock with the fix; commits without it).
        await Promise.race([exited, new Promise((r) => setTimeout(r, 6000))]);
        // ... then the fan-out writes its rows.
        await enqueueMany(
          tx,
          Array.from({ length: 50 }, (_, i) => ({ key: `fanout:${i}`, op: { op: 'send' as const, to: { chatId: `oc_${i}` }, text: `通知 ${before}` } })),
        );
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    await cliDone;
    expect(cliExit, cliOut).toBe(0);
    expect(await db.client.outboxMessage.count({ where: { idempotencyKey: { startsWith: 'fanout:' } } })).toBe(50);
    expect(await db.client.unit.count()).toBe(GOOD_UNITS);
  }, 60_000);
});

describe('CSV cells a spreadsheet could run', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', ' =1+1', '\n=1+1', '\t=1', '\r=1', '＝1+1', '＋1', '－1', '＠x', '\u3000=1', '\u00A0=1', '\uFEFF=1'])('%j is neutralised', (cell) => {
    expect(guardCell(cell).startsWith("'")).toBe(true);
  });
  it.each(['星沙街道', '0731-84872387', '2023年5月'])('%j is kept', (cell) => {
    expect(guardCell(cell)).toBe(cell);
  });
});
