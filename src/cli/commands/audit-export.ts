// `npm run cli -- audit export --from 2026-01-01 --to 2026-06-30 --out 审计记录.xlsx|.csv`
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { defineCliCommand } from '../io.ts';
import { auditRecords } from '../../app/audit.ts';
import { writeAuditCsv, writeAuditXlsx } from '../../adapters/files/audit-export.ts';
import { addDays, atShanghai, isCivilDate } from '../../domain/time.ts';

export const auditExport = defineCliCommand({
  usage: 'audit export --from YYYY-MM-DD --to YYYY-MM-DD --out 审计记录.xlsx|审计记录.csv',
  summary: '导出审计记录（按北京时间日期范围，含首尾两天）为 XLSX 或 CSV；审计记录永不自动清理',
  flags: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  parse(values) {
    if (!values.from || !isCivilDate(values.from)) throw new Error('--from 应为日期，如 2026-01-01');
    if (!values.to || !isCivilDate(values.to)) throw new Error('--to 应为日期，如 2026-06-30');
    if (values.to < values.from) throw new Error('--to 不能早于 --from');
    if (!values.out || !/\.(xlsx|csv)$/i.test(values.out)) throw new Error('--out 应以 .xlsx 或 .csv 结尾');
    return { from: values.from, to: values.to, out: values.out };
  },
  async run({ from, to, out }, io) {
    const db = await io.openDb();
    const rows = auditRecords(db.client, atShanghai(from), atShanghai(addDays(to, 1)));
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    const n = /\.csv$/i.test(out) ? await writeAuditCsv(rows, out) : await writeAuditXlsx(rows, out, `审计记录 ${from} 至 ${to}（北京时间）`);
    io.stdout(`已导出 ${n} 条审计记录（${from} 至 ${to}）到 ${out}`);
    return 0;
  },
});
