// Dispatches argv to a registered command; `help` is built in and lists the registry.
import { ConfigError } from '../config.ts';
import { MigrationError } from '../adapters/db/migrate.ts';
import { COMMANDS, findCommand } from './commands/index.ts';
import type { CliCommand, CliIo } from './io.ts';

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** Terminal columns: CJK characters take two. */
function displayWidth(s: string): number {
  return [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function helpText(commands: CliCommand[] = COMMANDS): string {
  const names = [...commands.map((c) => c.name), 'help [命令]'];
  const width = Math.max(...names.map(displayWidth));
  return [
    '主题日助手 命令行工具',
    '',
    '用法：npm run cli -- <命令> [参数]',
    '',
    '命令：',
    ...commands.map((c) => `  ${pad(c.name, width)}  ${c.summary}`),
    `  ${pad('help [命令]', width)}  显示本帮助或某个命令的用法`,
    '',
    '数据库由环境变量 DATABASE_URL 指定（默认 file:./data/themeday.db），也可写在 .env 文件中。',
  ].join('\n');
}

/** `help <words>`: the command they name, or every command of that group (`help demo` → `demo seed` …). */
function topicHelp(words: string[], commands: CliCommand[]): string | undefined {
  const exact = findCommand(words, commands);
  if (exact) return `用法：npm run cli -- ${exact.command.usage}\n${exact.command.summary}`;
  const group = commands.filter((c) => words.every((w, i) => c.name.split(' ')[i] === w));
  if (group.length === 0) return undefined;
  return group.map((c) => `用法：npm run cli -- ${c.usage}\n${c.summary}`).join('\n\n');
}

export async function runCli(argv: string[], io: CliIo, commands: CliCommand[] = COMMANDS): Promise<number> {
  if (argv.length === 0 || HELP_WORDS.has(argv[0]!)) {
    const words = argv.slice(1);
    if (words.length === 0) {
      io.stdout(helpText(commands));
      return argv.length === 0 ? 2 : 0;
    }
    const topic = topicHelp(words, commands);
    if (topic) {
      io.stdout(topic);
      return 0;
    }
    io.stderr(`没有名为“${words.join(' ')}”的命令。\n\n${helpText(commands)}`);
    return 2;
  }
  const found = findCommand(argv, commands);
  if (!found) {
    io.stderr(`未知命令：${argv.join(' ')}\n运行 npm run cli -- help 查看可用命令。`);
    return 2;
  }
  if (found.args.some((a) => HELP_WORDS.has(a))) {
    io.stdout(`用法：npm run cli -- ${found.command.usage}\n${found.command.summary}`);
    return 0;
  }
  try {
    return await found.command.run(found.args, io);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MigrationError) {
      io.stderr(error.message);
      return 2;
    }
    throw error;
  }
}
