/**
 * `npm test`: the whole suite (or the files named on the command line) with node's test runner, in
 * two lanes, reported as one run by node's own spec reporter, ending with one summary.
 *
 * Most test files spend their time waiting on sandboxes, browsers, builds and the network, so
 * two run at once (SOCKETLAB_TEST_CONCURRENCY, default 2): on this project's 2-core machines
 * the suite ran 643 tests in about 41 minutes one file at a time, and 1006 in about 33 this way.
 * The files in QUIET measure latency or CPU share against a bound (another lab's echo during an
 * attack, a flood's Ctrl-C), which another file's load would make flaky: they run afterwards,
 * one at a time.
 *
 *   npm test                                  every tests/**\/*.test.ts
 *   npm test -- tests/site/lab.test.ts ...    only these files
 */
import { globSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const ROOT = resolve(import.meta.dirname, '..');

/** Files that assert latency or CPU share: each runs alone, after the rest. */
const QUIET = [
  'tests/server/labs/attacks.test.ts',
  'tests/server/labs/memory-attacks.test.ts',
  'tests/server/labs/flow.test.ts',
  'tests/site/lab.test.ts',
];

const concurrency = Number(process.env.SOCKETLAB_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`SOCKETLAB_TEST_CONCURRENCY must be a whole number of at least 1 (files run at once), got "${process.env.SOCKETLAB_TEST_CONCURRENCY}"`);
  process.exit(2);
}

const named = process.argv.slice(2);
const files = (named.length > 0 ? named.flatMap((pattern) => globSync(pattern, { cwd: ROOT })) : globSync('tests/**/*.test.ts', { cwd: ROOT }))
  .map((file) => relative(ROOT, resolve(ROOT, file)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${named.join(' ')}`);
  process.exit(2);
}
const lanes: [string[], number][] = [
  [files.filter((f) => !QUIET.includes(f)), concurrency],
  [files.filter((f) => QUIET.includes(f)), 1],
];

// One reporter for both lanes: each lane's own run-level plan, totals and failure list are held
// back, and the totals of both are reported once at the end, as node reports a single run.
const report = new PassThrough({ objectMode: true });
report.compose(new spec()).pipe(process.stdout);
const counts: Record<string, number> = {};
let success = true;
/** Each file's time (its top-level tests, which run one after another): where a run's minutes go. */
const fileSeconds = new Map<string, number>();
const started = performance.now();
for (const [laneFiles, laneConcurrency] of lanes) {
  if (laneFiles.length === 0) continue;
  for await (const event of run({ files: laneFiles.map((f) => resolve(ROOT, f)), concurrency: laneConcurrency, cwd: ROOT })) {
    const data = event.data as { file?: string; nesting?: number; success?: boolean; counts?: Record<string, number>; details?: { duration_ms?: number } };
    const runLevel = data.file === undefined && !data.nesting;
    if (data.file && data.nesting === 0 && (event.type === 'test:pass' || event.type === 'test:fail')) {
      const file = relative(ROOT, data.file);
      fileSeconds.set(file, (fileSeconds.get(file) ?? 0) + (data.details?.duration_ms ?? 0) / 1000);
    }
    if (runLevel && event.type === 'test:summary') {
      success &&= data.success === true;
      for (const [key, n] of Object.entries(data.counts ?? {})) counts[key] = (counts[key] ?? 0) + n;
      continue;
    }
    if (runLevel && (event.type === 'test:plan' || event.type === 'test:diagnostic')) continue;
    report.write(event);
  }
}
const duration_ms = performance.now() - started;
const slowest = [...fileSeconds].sort((a, b) => b[1] - a[1]).slice(0, 10);
if (files.length > 1) report.write({ type: 'test:diagnostic', data: { nesting: 0, message: `slowest files: ${slowest.map(([f, s]) => `${f} ${s.toFixed(0)} s`).join(', ')}`, level: 'info' } });
const totals: [string, number | undefined][] = [
  ['tests', counts.tests], ['suites', counts.suites], ['pass', counts.passed], ['fail', counts.failed],
  ['cancelled', counts.cancelled], ['skipped', counts.skipped], ['todo', counts.todo], ['duration_ms', duration_ms],
];
for (const [label, n] of totals) report.write({ type: 'test:diagnostic', data: { nesting: 0, message: `${label} ${n ?? 0}`, level: 'info' } });
report.write({ type: 'test:summary', data: { success, counts, duration_ms } });
report.end();
process.exitCode = success ? 0 : 1;
