// Decides once per run whether the PostgreSQL half of the suite runs. Under CI=true it must;
// elsewhere, without a reachable server, it is skipped with a printed notice.
import pg from 'pg';

export const DEFAULT_TEST_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';

export default async function setup(): Promise<void> {
  const url = process.env.TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.THEMEDAY_TEST_PG = '1';
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required under CI=true but ${url} is not reachable: ${(error as Error).message}`);
    }
    process.env.THEMEDAY_TEST_PG = '0';
    console.warn(`\n[notice] PostgreSQL not reachable at ${url}: PostgreSQL tests are SKIPPED. Set TEST_POSTGRES_URL or start PostgreSQL to run them.\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
