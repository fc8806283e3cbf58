// Reads a .docx back: word/document.xml out of the zip (yauzl), then each table as rows of cell text.
import yauzl from 'yauzl';

export function readZipEntry(file: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => reject(new Error(`${name} not in ${file}`)));
      zip.readEntry();
    });
  });
}

const decode = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Every `<w:tbl>` as rows of cell texts (runs joined, paragraphs joined with a newline). */
export function tablesOf(documentXml: string): { rows: string[][]; headerRepeated: boolean }[] {
  const tables: { rows: string[][]; headerRepeated: boolean }[] = [];
  for (const tbl of documentXml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g) ?? []) {
    const rows = (tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/g) ?? []).map((tr) =>
      (tr.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? []).map((tc) =>
        (tc.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []).map((p) => (p.match(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g) ?? []).map((t) => decode(t.replace(/<[^>]+>/g, ''))).join('')).join('\n'),
      ),
    );
    const firstRow = tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/)?.[0] ?? '';
    tables.push({ rows, headerRepeated: /<w:tblHeader(?:\s*\/>|\s+w:val="(?:true|1|on)"\s*\/>)/.test(firstRow) });
  }
  return tables;
}
