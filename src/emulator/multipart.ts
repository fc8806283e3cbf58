// multipart/form-data for the upload endpoints (the SDK posts via axios + form-data), parsed by
// busboy. The raw body is read by express.raw first (the call log needs it whole anyway); the
// `multipartParts` middleware parses it once and handlers read the parts with `partsOf(req)`.
import busboy from 'busboy';
import type { Request, RequestHandler } from 'express';

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** The parts of a multipart body, or undefined when it is not well-formed multipart. */
export function parseMultipart(body: Buffer, contentType: string): Promise<MultipartPart[] | undefined> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      // UTF-8 file names (Chinese names from the SDK); busboy's default is latin1.
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { fieldSize: 5 * 1024 * 1024 } });
    } catch {
      resolve(undefined);
      return;
    }
    const parts: MultipartPart[] = [];
    let openFiles = 0;
    let closed = false;
    let failed = false;
    const settle = () => {
      if (!failed && closed && openFiles === 0) resolve(parts);
    };
    parser.on('file', (name, stream, info) => {
      openFiles++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        parts.push({ name, filename: info.filename, contentType: info.mimeType, data: Buffer.concat(chunks) });
        openFiles--;
        settle();
      });
    });
    parser.on('field', (name, value) => parts.push({ name, data: Buffer.from(value, 'utf8') }));
    parser.on('close', () => {
      closed = true;
      settle();
    });
    parser.on('error', () => {
      failed = true;
      resolve(undefined);
    });
    parser.end(body);
  });
}

const PARTS = new WeakMap<Request, MultipartPart[] | undefined>();

/** After express.raw: parses a multipart body once for the handler (non-multipart bodies pass). */
export const multipartParts: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || !/^multipart\/form-data/i.test(req.get('content-type') ?? '')) return next();
  parseMultipart(body, req.get('content-type') ?? '').then((parts) => {
    PARTS.set(req, parts);
    next();
  }, next);
};

/** The parts `multipartParts` found, or undefined (not multipart, or malformed). */
export function partsOf(req: Request): MultipartPart[] | undefined {
  return PARTS.get(req);
}
