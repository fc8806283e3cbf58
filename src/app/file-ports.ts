// The adapters behind the file and link ports (src/ports/files.ts, src/ports/link-checker.ts), wired
// here so use cases never import src/adapters/files or src/adapters/http themselves.
import type { Config } from '../config.ts';
import type { ExportWriter, PhotoInspector } from '../ports/files.ts';
import type { LinkChecker } from '../ports/link-checker.ts';
import { writeEvaluationWorkbook } from '../adapters/files/evaluation-xlsx.ts';
import { evidenceDocument, evidenceIndex } from '../adapters/files/evidence-html.ts';
import { writeZipBuffer } from '../adapters/files/evidence-zip.ts';
import { writeHistoryWorkbook } from '../adapters/files/history-xlsx.ts';
import { buildSubmissionsCsv, buildSubmissionsXlsx } from '../adapters/files/submissions-export.ts';
import { writeScheduleXlsx } from '../adapters/files/schedule-xlsx.ts';
import { readJpegExif } from '../adapters/files/exif.ts';
import { tinyJpeg } from '../adapters/files/sample-jpeg.ts';
import { createLinkChecker } from '../adapters/http/link-checker.ts';

export const exportWriter: ExportWriter = {
  evaluationWorkbook: writeEvaluationWorkbook,
  historyWorkbook: writeHistoryWorkbook,
  submissionsXlsx: buildSubmissionsXlsx,
  submissionsCsv: buildSubmissionsCsv,
  scheduleXlsx: writeScheduleXlsx,
  evidenceDocument,
  evidenceIndex,
  zip: writeZipBuffer,
};

export const photoInspector: PhotoInspector = { readExif: readJpegExif, samplePhoto: tinyJpeg };

/** The AppServices fields for files, photos and links. */
export function filePorts(config: Pick<Config, 'linkCheckAllow'>): { files: ExportWriter; photos: PhotoInspector; linkChecker: LinkChecker } {
  return { files: exportWriter, photos: photoInspector, linkChecker: createLinkChecker({ allow: config.linkCheckAllow }) };
}
