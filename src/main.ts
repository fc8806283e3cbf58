// `npm start`: load config (a bad value stops here with one line naming the variable), start the
// app, and shut down cleanly on SIGTERM/SIGINT.
import { startupDone } from './app/v8-memory.ts';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.ts';
import { createLogger, openLogDestination } from './app/log.ts';

let config: Config;
try {
  loadDotEnv();
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logDestination = await openLogDestination(config.logLevel, config.logFile ? { file: config.logFile, retentionDays: config.logRetentionDays } : undefined);
const log = createLogger(config.logLevel, { destination: logDestination.stream });
let app: import('./app/create-app.ts').App;
try {
  // Loaded after the config is known good, so a bad variable is reported at once.
  const { createApp } = await import('./app/create-app.ts');
  app = await createApp({ config, logger: log, startHooksInBackground: true, keepEmulatorState: true });
} catch (error) {
  const message = (error as Error).message ?? String(error);
  console.error(`启动失败 / start-up failed: ${message.replace(/\/\/[^@/\s]*@/g, '//***@')}`);
  process.exit(1);
}

startupDone();

if (config.local) {
  const shown = `http://localhost:${app.port}/`;
  console.log(`主题日助手已启动（本地模式）: ${shown}`);
  console.log(`Theme-day assistant started (local mode): ${shown}`);
} else {
  log.info('started', { port: app.port, eventMode: config.feishu.eventMode, database: app.database.provider });
}

let shuttingDown = false;
const shutdown = (signal: string) => {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info('shutting down', { signal });
  const force = setTimeout(() => {
    log.error('shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  app
    .stop()
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      log.error('shutdown failed', { error });
      process.exit(1);
    });
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
