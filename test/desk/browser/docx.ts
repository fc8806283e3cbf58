// Reads a .docx back: word/document.xml out of the zip (yauzl), then each table as rows of cell text.
import { readFile } from 'node:fs/promises';
import { decodeXml, unzipEntry } from '../support.ts';

/** One entry of a zip file on disk (the downloaded .docx), read with the desk tests' unzip helper. */
export async function readZipEntry(file: string, name: string): Promise<string> {
  return unzipEntry(await readFile(file), name);
}

/** Every `<w:tbl>` as rows of cell texts (runs joined, paragraphs joined with a newline). */
export function tablesOf(documentXml: string): { rows: string[][]; headerRepeated: boolean }[] {
  const tables: { rows: string[][]; headerRepeated: boolean }[] = [];
  for (const tbl of documentXml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g) ?? []) {
    const rows = (tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/g) ?? []).map((tr) =>
      (tr.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? []).map((tc) => (tc.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []).map((p) => (p.match(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g) ?? []).map((t) => decodeXml(t.replace(/<[^>]+>/g, ''))).join('')).join('\n')),
    );
    const firstRow = tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/)?.[0] ?? '';
    tables.push({ rows, headerRepeated: /<w:tblHeader(?:\s*\/>|\s+w:val="(?:true|1|on)"\s*\/>)/.test(firstRow) });
  }
  return tables;
}
