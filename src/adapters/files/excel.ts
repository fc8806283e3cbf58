// exceljs is big (~180 modules, tens of MB once loaded) and only exports and imports use it: it is
// loaded on first use, not at start (issue 17 goal 3: idle memory and cold start).
import type ExcelJSModule from 'exceljs';

let loaded: Promise<typeof ExcelJSModule> | undefined;

export function loadExcel(): Promise<typeof ExcelJSModule> {
  loaded ??= import('exceljs').then((m) => (m as unknown as { default: typeof ExcelJSModule }).default ?? (m as unknown as typeof ExcelJSModule));
  return loaded;
}
