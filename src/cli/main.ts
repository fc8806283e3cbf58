// `npm run cli -- <command> [args]`
import { createProcessIo } from './io.ts';
import { runCli } from './run.ts';

const { io, close } = createProcessIo();
try {
  process.exitCode = await runCli(process.argv.slice(2), io);
} catch (error) {
  io.stderr(`命令执行失败 / command failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await close();
}
