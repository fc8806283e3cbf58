// Minimal multipart/form-data parser for the upload endpoints (the SDK posts via axios + form-data).
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next < 0) return undefined;
    // Part data ends with CRLF before the next delimiter.
    const data = body.subarray(headerEnd + 4, next - 2);
    const disp = /content-disposition:[^\r\n]*?name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(headers);
    const ct = /content-type:\s*([^\r\n]+)/i.exec(headers);
    if (disp?.[1] !== undefined) {
      const part: MultipartPart = { name: disp[1], data: Buffer.from(data) };
      if (disp[2] !== undefined) part.filename = disp[2];
      if (ct?.[1]) part.contentType = ct[1].trim();
      parts.push(part);
    }
    pos = next;
  }
  return parts;
}
