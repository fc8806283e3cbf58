// `npm run cli -- help demo` prints the demo commands' help, not the general list (issue 13 item 12).
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    now: () => new Date('2026-12-04T02:00:00Z'),
    openDb: () => Promise.reject(new Error('help needs no database')),
  };
  return { io, out, err };
}

describe('cli help topics', () => {
  it('help <group> lists the commands of that group with their usage', async () => {
    const c = capture();
    expect(await runCli(['help', 'demo'], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('用法：npm run cli -- demo seed');
    expect(text).not.toContain('主题日助手 命令行工具');
  });

  it('help <command> and an unknown topic', async () => {
    const c = capture();
    expect(await runCli(['help', 'demo', 'seed'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/^用法：npm run cli -- demo seed/);
    const u = capture();
    expect(await runCli(['help', 'nothing'], u.io)).toBe(2);
    expect(u.err.join('\n')).toContain('没有名为“nothing”的命令');
  });
});
