// The CLI's command registry. To add a command: create src/cli/commands/<name>.ts exporting a
// CliCommand (e.g. `export const unitsList = defineCliCommand({ usage: 'units list [--phones]', … })`)
// and add it to the list below. That is all: matching, `help` and exit codes come for free.
import type { CliCommand } from '../io.ts';
import { unitsImport } from './units-import.ts';
import { unitsList } from './units-list.ts';
import { exportSubmissions } from './export-submissions.ts';
import { demoSeed } from './demo-seed.ts';
import { remindersLog, remindersPreview } from './reminders-preview.ts';
import { exportEvaluation } from './export-evaluation.ts';
import { exportEvidence } from './export-evidence.ts';
import { exportSchedule } from './export-schedule.ts';
import { doctor } from './doctor.ts';
import { exportHistory } from './export-history.ts';
import { holidaysImport } from './holidays-import.ts';
import { auditExport } from './audit-export.ts';
import { backup, restore } from './backup.ts';

export const COMMANDS: CliCommand[] = [
  unitsImport,
  unitsList,
  exportSubmissions,
  demoSeed,
  remindersPreview,
  remindersLog,
  holidaysImport,
  exportEvaluation,
  exportEvidence,
  exportSchedule,
  doctor,
  exportHistory,
  auditExport,
  backup,
  restore,
];

/** The command whose name is the longest prefix of argv, and the arguments after it. */
export function findCommand(argv: string[], commands: CliCommand[] = COMMANDS): { command: CliCommand; args: string[] } | undefined {
  let best: { command: CliCommand; args: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.length > argv.length || !words.every((w, i) => argv[i] === w)) continue;
    if (!best || words.length > best.command.name.split(' ').length) best = { command, args: argv.slice(words.length) };
  }
  return best;
}
