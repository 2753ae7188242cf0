/**
 * `npm run bench`: runs Socket Lab's benchmarks and prints their figures and ratios.
 *
 * - compare: loopback TCP (the baseline) vs a Unix stream socket, latency and throughput, using the
 *   very program the comparison lesson shows (content/examples/compare/c/bench.c).
 *
 * Pass `--quick` for a short run. Benchmarks are never part of the test suite's pass/fail.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExample } from '../tests/support/examples.ts';

const quick = process.argv.includes('--quick');

function sh(command: string, cwd: string): void {
  const result = spawnSync('sh', ['-c', command], { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`"${command}" failed with exit ${result.status}`);
}

const example = loadExample('compare', 'c');
const work = mkdtempSync(join(tmpdir(), 'sl-bench-'));
try {
  cpSync(example.path, work, { recursive: true });
  for (const command of example.manifest.build) sh(command, work);
  console.log(`\n== compare: loopback TCP (baseline) vs Unix stream socket${quick ? ' (quick)' : ''} ==\n`);
  sh(quick ? './bench --quick' : './bench', work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
