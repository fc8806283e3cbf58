// Word documents in the layout county offices publish (GB/T 9704-2012 《党政机关公文格式》):
// A4, margins top 37 mm / bottom 35 mm / left 28 mm / right 26 mm, title in 方正小标宋简体 二号 (22 pt)
// centred, body in 仿宋_GB2312 三号 (16 pt) with a two-character first-line indent, fixed 28 pt line
// pitch, page numbers "— 1 —" in 宋体 四号 at the foot, tables with the header row repeated on every
// page. Fonts are named, not embedded: Word/WPS on a government PC has them; elsewhere a fallback shows.
import { AlignmentType, BorderStyle, Document, Footer, LineRuleType, Packer, PageNumber, Paragraph, Table, TableCell, TableLayoutType, TableRow, TextRun, VerticalAlign, WidthType, type ISectionOptions } from 'docx';

export const FONT_TITLE = '方正小标宋简体';
export const FONT_BODY = '仿宋_GB2312';
export const FONT_HEADING1 = '黑体';
export const FONT_HEADING2 = '楷体_GB2312';
export const FONT_PAGE = '宋体';
/** half-points */
export const SIZE_TITLE = 44; // 二号 22 pt
export const SIZE_BODY = 32; // 三号 16 pt
export const SIZE_TABLE = 24; // 小四 12 pt (tables: many columns on a 156 mm line)
export const SIZE_PAGE = 28; // 四号 14 pt

export const MARGINS_MM = { top: 37, bottom: 35, left: 28, right: 26 } as const;
/** A4 text width: 210 − 28 − 26 mm */
export const TEXT_WIDTH_MM = 210 - MARGINS_MM.left - MARGINS_MM.right;
/** Rounded (the library's helper truncates: A4 would come out 11905 × 16837 instead of Word's 11906 × 16838). */
export const mm = (v: number): number => Math.round((v * 1440) / 25.4);
const LINE_PITCH = 560; // 28 pt in twips (22 lines a page)

const font = (name: string) => ({ ascii: name === FONT_BODY ? 'Times New Roman' : name, hAnsi: name === FONT_BODY ? 'Times New Roman' : name, eastAsia: name, cs: name });

export function title(text: string): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { line: LINE_PITCH, lineRule: LineRuleType.EXACT, after: LINE_PITCH },
    children: [new TextRun({ text, font: font(FONT_TITLE), size: SIZE_TITLE })],
  });
}

/** A centred line under the title (e.g. the edition), in 楷体. */
export function subtitle(text: string): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { line: LINE_PITCH, lineRule: LineRuleType.EXACT }, children: [new TextRun({ text, font: font(FONT_HEADING2), size: SIZE_BODY })] });
}

/** Body text: 仿宋 三号, first line indented two characters. */
export function body(text: string, o: { indent?: boolean; align?: 'right' | 'left' } = {}): Paragraph {
  return new Paragraph({
    alignment: o.align === 'right' ? AlignmentType.RIGHT : AlignmentType.JUSTIFIED,
    spacing: { line: LINE_PITCH, lineRule: LineRuleType.EXACT },
    indent: o.indent === false ? undefined : { firstLine: 640 },
    children: [new TextRun({ text, font: font(FONT_BODY), size: SIZE_BODY })],
  });
}

/** 一、 headings in 黑体, （一） headings in 楷体 (GB/T 9704 7.3.3). */
export function heading(text: string, level: 1 | 2 = 1): Paragraph {
  return new Paragraph({
    spacing: { line: LINE_PITCH, lineRule: LineRuleType.EXACT },
    indent: { firstLine: 640 },
    children: [new TextRun({ text, font: font(level === 1 ? FONT_HEADING1 : FONT_HEADING2), size: SIZE_BODY })],
  });
}

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
const tableBorders = { top: thin, bottom: thin, left: thin, right: thin, insideHorizontal: thin, insideVertical: thin };

function cell(text: string, widthMm: number, header: boolean): TableCell {
  return new TableCell({
    width: { size: mm(widthMm), type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    children: String(text)
      .split('\n')
      .map(
        (line) =>
          new Paragraph({
            alignment: header ? AlignmentType.CENTER : AlignmentType.LEFT,
            children: [new TextRun({ text: line, font: font(header ? FONT_HEADING1 : FONT_BODY), size: SIZE_TABLE })],
          }),
      ),
  });
}

/** A bordered table; the header row repeats at the top of every page (w:tblHeader). */
export function table(columns: readonly { header: string; widthMm: number }[], rows: readonly (readonly (string | number)[])[]): Table {
  return new Table({
    layout: TableLayoutType.FIXED,
    // Borders once on the table, not on each cell: a 200-row table stays small and quick to build.
    borders: tableBorders,
    width: { size: mm(TEXT_WIDTH_MM), type: WidthType.DXA },
    columnWidths: columns.map((c) => mm(c.widthMm)),
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: columns.map((c) => cell(c.header, c.widthMm, true)) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: columns.map((c, i) => cell(String(r[i] ?? ''), c.widthMm, false)) })),
    ],
  });
}

/** The issuing office and date, right-aligned under the text (GB/T 9704 7.3.5). */
export function signature(office: string, dateText: string): Paragraph[] {
  return [body(''), body(office, { align: 'right', indent: false }), body(dateText, { align: 'right', indent: false })];
}

export async function writeGongwen(children: ISectionOptions['children'], meta: { title: string }): Promise<Buffer> {
  const doc = new Document({
    creator: '主题日助手',
    title: meta.title,
    styles: { default: { document: { run: { font: font(FONT_BODY), size: SIZE_BODY } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297) },
            margin: {
              top: mm(MARGINS_MM.top),
              bottom: mm(MARGINS_MM.bottom),
              left: mm(MARGINS_MM.left),
              right: mm(MARGINS_MM.right),
            },
          },
        },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONT_PAGE), size: SIZE_PAGE })] })],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
