// `audit export --from --to --out`: the audit trail by Shanghai date range, as CSV or XLSX,
// streamed in pages; nothing in the app prunes it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PROVIDERS_UNDER_TEST, type TestDatabase } from '../support/db.ts';
import { auditExport } from '../../src/cli/commands/audit-export.ts';
import { auditRecords } from '../../src/app/audit.ts';
import type { CliIo } from '../../src/cli/io.ts';

describe.each(PROVIDERS_UNDER_TEST)('audit export (%s)', (provider) => {
  let db: TestDatabase;
  let dir: string;
  const io = (): CliIo & { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => new Date('2026-07-01T00:00:00Z'), openDb: async () => db };
  };

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    dir = mkdtempSync(path.join(os.tmpdir(), 'themeday-audit-'));
    const rows = [
      // 2026-01-01 07:59 Shanghai is still 2025-12-31 23:59 UTC; the range is in Shanghai dates.
      { at: new Date('2025-12-31T15:59:00Z'), action: 'before.range' },
      { at: new Date('2025-12-31T16:00:00Z'), action: 'first.day' },
      { at: new Date('2026-03-15T02:00:00Z'), action: 'summary.submit', reason: '=HYPERLINK("x")' },
      { at: new Date('2026-06-30T15:59:59Z'), action: 'last.day' },
      { at: new Date('2026-06-30T16:00:00Z'), action: 'after.range' },
    ];
    for (const r of rows) {
      await db.client.auditLog.create({ data: { at: r.at, actorOpenId: 'ou_coord', action: r.action, entity: 'Campaign', entityId: 'c1', decision: 'allow', reason: r.reason ?? null, after: JSON.stringify({ 备注: '中文, "引号"' }) } });
    }
  });
  afterAll(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes CSV (UTF-8 BOM) with the rows of the date range, formulas kept as text', async () => {
    const file = path.join(dir, 'audit.csv');
    const c = io();
    expect(await auditExport.run(['--from', '2026-01-01', '--to', '2026-06-30', '--out', file], c), c.err.join()).toBe(0);
    expect(c.out.join()).toContain('已导出 3 条审计记录');
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toContain('时间（北京时间）');
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['first.day', 'summary.submit', 'last.day']);
    expect(lines[1]).toContain('2026-01-01 00:00');
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).toContain('"{""备注"":""中文, \\""引号\\""""}"');
  });

  it('writes XLSX with the same rows', async () => {
    const file = path.join(dir, 'audit.xlsx');
    const c = io();
    expect(await auditExport.run(['--from', '2026-01-01', '--to', '2026-06-30', '--out', file], c)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('审计记录')!;
    const actions: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 2) actions.push(String(row.getCell(3).value));
    });
    expect(actions).toEqual(['first.day', 'summary.submit', 'last.day']);
  });

  it('pages through the records in order and refuses bad arguments', async () => {
    const all: string[] = [];
    for await (const r of auditRecords(db.client, new Date('2025-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 2)) all.push(r.action);
    expect(all).toEqual(['before.range', 'first.day', 'summary.submit', 'last.day', 'after.range']);
    const c = io();
    expect(await auditExport.run(['--from', '2026-06-30', '--to', '2026-01-01', '--out', 'x.csv'], c)).toBe(2);
    expect(await auditExport.run(['--from', '2026-01-01', '--to', '2026-06-30', '--out', 'x.pdf'], c)).toBe(2);
    expect(c.err.join('\n')).toContain('--to 不能早于 --from');
  });
});
