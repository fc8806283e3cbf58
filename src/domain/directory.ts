// The unit directory (名录): which units take part and who their liaisons are, as the
// coordinating office keeps it in a spreadsheet, one row per liaison. Pure validation: the
// readers in adapters/files turn a file into raw rows, this file turns raw rows into units or
// into a list of every problem, each naming its line, column and reason in Chinese.
import { z } from 'zod';
import { normalizePhone } from './phone.ts';

export const DIRECTORY_COLUMNS = ['单位名称', '单位类型', '排序', '联系人', '联系电话', '飞书open_id', '角色', '分管领导', '分管领导open_id'] as const;
export type DirectoryColumn = (typeof DIRECTORY_COLUMNS)[number];
export const REQUIRED_DIRECTORY_COLUMNS: readonly DirectoryColumn[] = ['单位名称', '单位类型', '联系人', '联系电话'];

export type UnitKind = 'town' | 'street' | 'department';
export const UNIT_KIND_LABELS: Record<UnitKind, string> = { town: '镇', street: '街道', department: '县直部门' };
const KIND_BY_LABEL: Record<string, UnitKind> = { 镇: 'town', 街道: 'street', 县直部门: 'department' };

export type LiaisonRole = 'primary' | 'backup';
export const LIAISON_ROLE_LABELS: Record<LiaisonRole, string> = { primary: '主联系人', backup: '备用联系人' };
const ROLE_BY_LABEL: Record<string, LiaisonRole> = { 主联系人: 'primary', 备用联系人: 'backup' };

export const UNIT_NAME_MAX = 40;
export const PERSON_NAME_MAX = 20;
export const OPEN_ID_RE = /^ou_[A-Za-z0-9_-]+$/;

/** One data row as read from a file: cell text by column, and the line (CSV) or row (XLSX) number. */
export interface RawDirectoryRow {
  line: number;
  cells: Partial<Record<DirectoryColumn, string>>;
}

export interface DirectoryTable {
  /** line of the header row */
  headerLine: number;
  /** the known columns the header has */
  columns: DirectoryColumn[];
  rows: RawDirectoryRow[];
}

export interface DirectoryError {
  line: number;
  /** null when the problem is the row or the file as a whole */
  column: DirectoryColumn | null;
  reason: string;
}

export interface DirectoryLiaison {
  line: number;
  name: string;
  phone: string;
  openId: string | null;
  role: LiaisonRole;
}

export interface DirectoryUnit {
  /** first line naming the unit */
  line: number;
  name: string;
  kind: UnitKind;
  /** null: not given in the file (an existing unit keeps its order) */
  sortOrder: number | null;
  leaderName: string | null;
  leaderOpenId: string | null;
  liaisons: DirectoryLiaison[];
}

export type DirectoryParseResult = { ok: true; units: DirectoryUnit[] } | { ok: false; errors: DirectoryError[] };

/** `第 5 行「联系电话」：“12345” 不是有效的手机号或固定电话` */
export function formatDirectoryError(error: DirectoryError): string {
  return error.column ? `第 ${error.line} 行「${error.column}」：${error.reason}` : `第 ${error.line} 行：${error.reason}`;
}

/** Header text → column, tolerant of spaces, case and full-width characters (e.g. "飞书 OpenID"). */
export function matchDirectoryColumn(header: string): DirectoryColumn | undefined {
  const key = canonicalHeader(header);
  return DIRECTORY_COLUMNS.find((c) => canonicalHeader(c) === key);
}

function canonicalHeader(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-*]/g, '');
}

function chars(s: string): number {
  return [...s].length;
}

/** Empty and whitespace-only cells are absent. */
const cell = z
  .string()
  .optional()
  .transform((v) => {
    const t = v?.replace(/[\s\u3000]+/g, ' ').trim();
    return t ? t : undefined;
  });

const requiredText = (max: number) =>
  cell.transform((v, ctx) => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: '不能为空' });
      return z.NEVER;
    }
    if (chars(v) > max) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 超过 ${max} 个字` });
      return z.NEVER;
    }
    return v;
  });

const optionalText = (max: number) =>
  cell.transform((v, ctx) => {
    if (v !== undefined && chars(v) > max) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 超过 ${max} 个字` });
      return z.NEVER;
    }
    return v ?? null;
  });

const openId = cell.transform((v, ctx) => {
  if (v === undefined) return null;
  if (!OPEN_ID_RE.test(v)) {
    ctx.addIssue({ code: 'custom', message: `“${v}” 不是有效的飞书 open_id（应以 ou_ 开头）` });
    return z.NEVER;
  }
  return v;
});

/** The schema of one directory row, keyed by the Chinese column names of the file. */
export const directoryRowSchema = z.object({
  单位名称: requiredText(UNIT_NAME_MAX),
  单位类型: cell.transform((v, ctx) => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: '不能为空（应为 镇、街道 或 县直部门）' });
      return z.NEVER;
    }
    const kind = KIND_BY_LABEL[v];
    if (!kind) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 不是有效的单位类型（应为 镇、街道 或 县直部门）` });
      return z.NEVER;
    }
    return kind;
  }),
  排序: cell.transform((v, ctx) => {
    if (v === undefined) return null;
    // Excel may hand over 3 as "3.0".
    const m = /^(\d{1,4})(?:\.0+)?$/.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 不是 0–9999 的整数` });
      return z.NEVER;
    }
    return Number(m[1]);
  }),
  联系人: requiredText(PERSON_NAME_MAX),
  联系电话: cell.transform((v, ctx) => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: '不能为空' });
      return z.NEVER;
    }
    const phone = normalizePhone(v);
    if (phone === null) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 不是有效的手机号或固定电话` });
      return z.NEVER;
    }
    return phone;
  }),
  飞书open_id: openId,
  角色: cell.transform((v, ctx) => {
    if (v === undefined) return 'primary' as const;
    const role = ROLE_BY_LABEL[v];
    if (!role) {
      ctx.addIssue({ code: 'custom', message: `“${v}” 不是有效的角色（应为 主联系人 或 备用联系人）` });
      return z.NEVER;
    }
    return role;
  }),
  分管领导: optionalText(PERSON_NAME_MAX),
  分管领导open_id: openId,
});

export type DirectoryRow = z.output<typeof directoryRowSchema>;

function isColumn(key: PropertyKey | undefined): key is DirectoryColumn {
  return typeof key === 'string' && (DIRECTORY_COLUMNS as readonly string[]).includes(key);
}

/**
 * Validates every row and the rules across rows (a unit's type, order and leader agree on all
 * its rows; one primary liaison per unit; no liaison twice). Returns the units, or all errors
 * sorted by line.
 */
export function parseDirectory(table: DirectoryTable): DirectoryParseResult {
  const errors: DirectoryError[] = [];
  for (const column of REQUIRED_DIRECTORY_COLUMNS) {
    if (!table.columns.includes(column)) errors.push({ line: table.headerLine, column, reason: '表头缺少此列' });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (table.rows.length === 0) return { ok: false, errors: [{ line: table.headerLine, column: null, reason: '表头下没有任何数据行' }] };

  const rows: { line: number; row: DirectoryRow }[] = [];
  for (const raw of table.rows) {
    const parsed = directoryRowSchema.safeParse(raw.cells);
    if (parsed.success) {
      rows.push({ line: raw.line, row: parsed.data });
      continue;
    }
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      errors.push({ line: raw.line, column: isColumn(key) ? key : null, reason: issue.message });
    }
  }

  const units = new Map<string, DirectoryUnit>();
  const primaryLine = new Map<string, number>();
  // Per unit: the line where each liaison (by name and by open_id) first appeared.
  const seen = new Map<string, Map<string, number>>();
  for (const { line, row } of rows) {
    const name = row.单位名称;
    let unit = units.get(name);
    if (!unit) {
      unit = { line, name, kind: row.单位类型, sortOrder: row.排序, leaderName: row.分管领导, leaderOpenId: row.分管领导open_id, liaisons: [] };
      units.set(name, unit);
    } else {
      const first = unit;
      const conflict = (column: DirectoryColumn, mine: string | number | null, theirs: string | number | null, shown: (v: string | number) => string) => {
        if (mine === null) return false;
        if (theirs === null) return true;
        if (mine === theirs) return false;
        errors.push({ line, column, reason: `“${shown(mine)}” 与第 ${first.line} 行的“${shown(theirs)}”不一致（同一单位各行必须相同）` });
        return false;
      };
      conflict('单位类型', row.单位类型, unit.kind, (v) => UNIT_KIND_LABELS[v as UnitKind]);
      if (conflict('排序', row.排序, unit.sortOrder, String)) unit.sortOrder = row.排序;
      if (conflict('分管领导', row.分管领导, unit.leaderName, String)) unit.leaderName = row.分管领导;
      if (conflict('分管领导open_id', row.分管领导open_id, unit.leaderOpenId, String)) unit.leaderOpenId = row.分管领导open_id;
    }

    const keys = seen.get(name) ?? new Map<string, number>();
    seen.set(name, keys);
    const nameKey = `name:${row.联系人}`;
    const idKey = row.飞书open_id ? `id:${row.飞书open_id}` : undefined;
    const dupName = keys.get(nameKey);
    const dupId = idKey ? keys.get(idKey) : undefined;
    if (dupName !== undefined) {
      errors.push({ line, column: '联系人', reason: `“${row.联系人}” 与第 ${dupName} 行重复（同一单位的同一联系人只能出现一次）` });
      continue;
    }
    if (dupId !== undefined) {
      errors.push({ line, column: '飞书open_id', reason: `“${row.飞书open_id}” 与第 ${dupId} 行重复（同一单位的同一联系人只能出现一次）` });
      continue;
    }
    keys.set(nameKey, line);
    if (idKey) keys.set(idKey, line);

    if (row.角色 === 'primary') {
      const other = primaryLine.get(name);
      if (other !== undefined) {
        errors.push({ line, column: '角色', reason: `单位“${name}”已在第 ${other} 行指定主联系人，每个单位只能有一名主联系人` });
        continue;
      }
      primaryLine.set(name, line);
    }
    unit.liaisons.push({ line, name: row.联系人, phone: row.联系电话, openId: row.飞书open_id, role: row.角色 });
  }

  for (const unit of units.values()) {
    if (!primaryLine.has(unit.name) && unit.liaisons.length > 0) {
      errors.push({ line: unit.line, column: '角色', reason: `单位“${unit.name}”没有主联系人（至少一行的角色应为“主联系人”）` });
    }
  }

  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line || DIRECTORY_COLUMNS.indexOf(a.column ?? '单位名称') - DIRECTORY_COLUMNS.indexOf(b.column ?? '单位名称'));
    return { ok: false, errors };
  }
  return { ok: true, units: [...units.values()] };
}
