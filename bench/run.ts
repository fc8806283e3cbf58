// `npm run bench`: runs every bench/*.bench.ts in turn (or the ones named on the command line)
// and prints what each measured. Benchmarks never run inside `npm test`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchResult {
  name: string;
  /** printed as-is, e.g. { 'messages/s': 41.2, 'p99 ms': 180 } */
  figures: Record<string, number | string>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

if (files.length === 0) {
  console.log('没有找到基准测试 / no benchmarks found');
  process.exit(0);
}

let failed = 0;
for (const file of files) {
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: () => Promise<BenchResult[]> };
    const results = await mod.default();
    for (const r of results) {
      const figures = Object.entries(r.figures)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : v}`)
        .join('  ');
      console.log(`${file.replace('.bench.ts', '')} · ${r.name}: ${figures}`);
    }
  } catch (error) {
    failed++;
    console.error(`${file}: failed: ${(error as Error).stack ?? String(error)}`);
  }
  console.log(`${file}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
process.exit(failed > 0 ? 1 : 0);
