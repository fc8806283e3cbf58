// File formats and photo metadata as the use cases see them: the data each written file holds,
// and the writers/readers that src/adapters/files implements (wired in src/app/file-ports.ts).
import type { SummaryValues } from '../domain/summary.ts';
import type { ScheduleChange, ScheduleRow } from '../domain/schedule.ts';
import type { History } from '../domain/history.ts';

export interface EvaluationSheetData {
  title: string;
  criteria: { key: string; name: string; weight: number; maxScore: number; description: string }[];
  judges: { openId: string; name: string; unitName: string }[];
  rows: {
    rank?: number;
    tied: boolean;
    unitName: string;
    title: string;
    month: number;
    /** per judge open_id: total, 'conflict' (回避) or undefined (not scored) */
    totals: Record<string, number | 'conflict' | undefined>;
    scores: Record<string, Record<string, number>>;
    comments: Record<string, string>;
    count: number;
    droppedHigh?: number;
    droppedLow?: number;
    final?: number;
    winner: boolean;
  }[];
  generatedAt: string;
}

export interface EvidenceDocData {
  year: number;
  unitName: string;
  title: string;
  month: number;
  intro: string;
  values: Partial<SummaryValues>;
  submittedAt?: string;
  photos: { href: string; fileName: string; takenOn: string | null; isLogo: boolean }[];
  issues: string[];
  award?: string;
}

export interface ZipEntry {
  name: string;
  /** the bytes, or a loader called only when the archive reaches this entry */
  data: Buffer | (() => Promise<Buffer>);
  /** store already-compressed data (JPEG …) as is */
  store?: boolean;
}

export interface SubmissionExportTheme {
  seq: number;
  title: string;
  month: number;
  /** form labels, e.g. ['实地调研', '座谈交流'] */
  forms: string[];
  intro: string;
  /** 主题领域 labels (the last column, after the plan's own) */
  domains?: string[];
}

export interface SubmissionExportUnit {
  unitName: string;
  kindLabel: string;
  /** '已提交' | '逾期提交' | '未提交' | '已撤回' */
  statusLabel: string;
  submitted: boolean;
  contactName: string;
  contactPhone: string;
  submittedAtText: string;
  themes: SubmissionExportTheme[];
}

export interface SubmissionExport {
  /** 长沙县2023年“政务公开主题日”活动主题申报表 */
  title: string;
  exportedAtText: string;
  units: SubmissionExportUnit[];
}

export interface ScheduleXlsxInput {
  title: string;
  /** e.g. '第2版\u30002023年4月20日发布' or '未发布（当前审核通过的主题）' */
  subtitle: string;
  rows: readonly ScheduleRow[];
  changes?: readonly ScheduleChange[];
}

export interface ExifInfo {
  /** 'YYYY:MM:DD HH:MM:SS' as stored */
  dateTimeOriginal?: string;
  /** the civil date of DateTimeOriginal (or DateTime), 'YYYY-MM-DD' */
  takenOn?: string;
}

/** The export files: workbooks, CSV, the evidence package's pages and the ZIP around them. */
export interface ExportWriter {
  evaluationWorkbook(d: EvaluationSheetData): Promise<Buffer>;
  historyWorkbook(h: History): Promise<Buffer>;
  submissionsXlsx(d: SubmissionExport): Promise<Buffer>;
  submissionsCsv(d: SubmissionExport): Buffer;
  scheduleXlsx(input: ScheduleXlsxInput): Promise<Buffer>;
  evidenceDocument(d: EvidenceDocData): string;
  evidenceIndex(year: number, items: { href: string; unitName: string; title: string; month: number; photos: number; award?: string }[]): string;
  zip(entries: ZipEntry[], modified: Date): Promise<Buffer>;
}

/** What the app reads from photos (and the tiny JPEG the demo seed stores as activity photos). */
export interface PhotoInspector {
  /** EXIF dates of a JPEG (empty for anything else); never throws */
  readExif(bytes: Uint8Array): Promise<ExifInfo>;
  samplePhoto(o: { dateTimeOriginal?: string; description?: string }): Buffer;
}
