/**
 * Classroom store benchmark (`node bench/store.ts`, `--quick` for a short run): what durability
 * costs and how fast the teacher's grid reads.
 *
 * - addSubmission, one caller at a time: submissions/s and p50/p99 latency with synchronous=FULL
 *   (what the store uses: every commit fsyncs the WAL), against synchronous=NORMAL (no fsync per
 *   commit; may lose the last commits on a power cut) and an in-memory database (no disk at all)
 *   as baselines.
 * - submissionsFor for one class (40 learners x 6 exercises, ~10 submissions each) in a file that
 *   also holds nine other classes of the same size, against parsing the check lines it leaves out,
 *   and the grid built from it (what each live dashboard update costs).
 *
 * - scrypt per sign-in, against OWASP's recommended parameters as the baseline.
 *
 * Figures depend on the disk's fsync latency far more than on the CPU. Never part of the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStoreOptions } from '../server/classroom/store/sqlite.ts';
import type { Id } from '../server/classroom/store/types.ts';
import type { CheckLine } from '../wire/lab-api.ts';
import { buildGrid } from '../server/classroom/grid.ts';
import { hashPassword } from '../server/classroom/passwords.ts';
import { scrypt } from 'node:crypto';

const quick = process.argv.includes('--quick');
const SECONDS_PER_MODE = quick ? 1 : 3;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

const CHECKS: CheckLine[] = Array.from({ length: 5 }, (_, i) => ({
  id: `check-${i}`,
  title: `The server answers request ${i} on its own connection`,
  pass: i < 3,
  sent: 'GET /key HTTP/1.1\r\nHost: lab\r\n\r\n',
  expected: 'HTTP/1.1 200 OK',
  got: i < 3 ? 'HTTP/1.1 200 OK' : 'connection reset by peer',
  hint: i < 3 ? '' : 'Read the whole request before you answer, then close your side.',
}));

const work = mkdtempSync(join(tmpdir(), 'sl-bench-store-'));

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

async function addSubmissions(name: string, file: string, options: SqliteStoreOptions): Promise<Figures> {
  const store = openSqliteStore(file, options);
  const learner = await store.createLearner({ tokenHash: 'bench', userId: null });
  const submit = () => store.addSubmission({ learnerId: learner.id, exerciseId: 'http-kv', lang: 'go', passed: 3, total: 5, checks: CHECKS });
  for (let i = 0; i < 50; i++) await submit();
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + SECONDS_PER_MODE * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    await submit();
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  return { name, perSecond: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function gridQuery(): Promise<{ rows: number; p50: number; p99: number; totalRows: number; parseP50: number; gridP50: number }> {
  // Filling needs no durability: NORMAL makes 26k inserts take a second instead of minutes.
  const store = openSqliteStore(join(work, 'grid.db'), { synchronous: 'NORMAL' });
  const exercises = ['tcp-echo', 'udp-ping', 'unix-chat', 'http-kv', 'tcp-chat', 'udp-dns'];
  const classes: Id[][] = [];
  for (let c = 0; c < 10; c++) {
    const learners: Id[] = [];
    for (let l = 0; l < 40; l++) learners.push((await store.createLearner({ tokenHash: `c${c}-l${l}`, userId: null })).id);
    classes.push(learners);
  }
  // Interleaved as a term of real checks would be: the class's rows are spread over the file.
  let totalRows = 0;
  for (let round = 0; round < 10; round++) {
    for (const learners of classes) {
      for (const learnerId of learners) {
        for (const exerciseId of exercises) {
          await store.addSubmission({ learnerId, exerciseId, lang: 'c', passed: round % 6, total: 5 + (round % 2), checks: CHECKS });
          totalRows++;
        }
      }
    }
  }
  const learners = classes[3]!;
  for (let i = 0; i < 5; i++) await store.submissionsFor(learners, exercises);
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    const t0 = performance.now();
    rows = (await store.submissionsFor(learners, exercises)).length;
    times.push(performance.now() - t0);
  }
  // What reading the check lines too would add (the grid needs only counts, so it leaves them out).
  const texts: string[] = [];
  for (const learnerId of learners) for (const exerciseId of exercises) for (const s of (await store.submissionPage(learnerId, exerciseId, { since: 0, offset: 0, limit: 1000 })).submissions) texts.push(JSON.stringify(s.checks));
  // The dashboard recomputes the grid from these rows on every live update.
  const summaries = await store.submissionsFor(learners, exercises);
  const members = learners.map((learnerId, i) => ({ id: i + 1, classId: 1, learnerId, displayName: `Student ${i}`, joinedAt: 0 }));
  const assignment = { id: 1, classId: 1, title: 'A', exerciseIds: exercises, opensAt: 0, dueAt: Date.now() + 1e9, latePolicy: 'marked-late' as const, solutions: 'after-pass' as const, createdAt: 0 };
  const grids: number[] = [];
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    const t0 = performance.now();
    buildGrid({ assignment, members, extensions: [], submissions: summaries, starts: [] });
    grids.push(performance.now() - t0);
  }
  grids.sort((a, b) => a - b);
  const parses: number[] = [];
  for (let i = 0; i < (quick ? 20 : 100); i++) {
    const t0 = performance.now();
    for (const text of texts) JSON.parse(text);
    parses.push(performance.now() - t0);
  }
  await store.close();
  times.sort((a, b) => a - b);
  parses.sort((a, b) => a - b);
  return { rows, p50: pct(times, 50), p99: pct(times, 99), totalRows, parseP50: pct(parses, 50), gridP50: pct(grids, 50) };
}

/** Sign-in cost: the store's scrypt (N=2^15) against OWASP's recommended minimum (N=2^17) as the baseline. */
async function passwordCost(): Promise<{ ours: number; owasp: number }> {
  const runs = quick ? 3 : 10;
  const time = async (job: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await job();
      times.push(performance.now() - t0);
    }
    return pct(times.sort((a, b) => a - b), 50);
  };
  const ours = await time(() => hashPassword('correct horse battery'));
  const owasp = await time(() => new Promise((resolve, reject) => scrypt('correct horse battery', 'salt', 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 300 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)))));
  return { ours, owasp };
}

try {
  console.log(`\n== classroom store: addSubmission, one caller, ${SECONDS_PER_MODE} s per mode${quick ? ' (quick)' : ''} ==\n`);
  const full = await addSubmissions('file, synchronous=FULL', join(work, 'full.db'), { synchronous: 'FULL' });
  const normal = await addSubmissions('file, synchronous=NORMAL', join(work, 'normal.db'), { synchronous: 'NORMAL' });
  const memory = await addSubmissions(':memory:', ':memory:', {});
  console.log(`${'database'.padEnd(28)} ${'submissions/s'.padStart(14)} ${'p50 (ms)'.padStart(10)} ${'p99 (ms)'.padStart(10)}`);
  for (const f of [full, normal, memory]) {
    console.log(`${f.name.padEnd(28)} ${f.perSecond.toFixed(0).padStart(14)} ${f.p50.toFixed(3).padStart(10)} ${f.p99.toFixed(3).padStart(10)}`);
  }
  console.log(`\nFULL (the store) does ${(full.perSecond / normal.perSecond).toFixed(2)}x NORMAL's submissions/s, p50 ${(full.p50 / normal.p50).toFixed(1)}x NORMAL's`);
  console.log(`FULL (the store) does ${(full.perSecond / memory.perSecond).toFixed(3)}x :memory:'s submissions/s, p50 ${(full.p50 / memory.p50).toFixed(1)}x :memory:'s`);

  console.log(`\n== classroom store: submissionsFor, one class of 40 learners x 6 exercises ==\n`);
  const grid = await gridQuery();
  console.log(`${grid.rows} submissions of the class among ${grid.totalRows} in the file`);
  console.log(`submissionsFor (no check lines) p50 ${grid.p50.toFixed(2)} ms, p99 ${grid.p99.toFixed(2)} ms`);
  console.log(`baseline, parsing those rows' check lines too would add p50 ${grid.parseP50.toFixed(2)} ms (${(grid.parseP50 / grid.p50).toFixed(2)}x the query)`);
  console.log(`buildGrid over them (every live dashboard update) p50 ${grid.gridP50.toFixed(2)} ms`);

  console.log(`\n== sign-in: scrypt per password check ==\n`);
  const cost = await passwordCost();
  console.log(`N=2^15 (the classroom) p50 ${cost.ours.toFixed(1)} ms; N=2^17 (OWASP minimum, baseline) p50 ${cost.owasp.toFixed(1)} ms: ${(cost.ours / cost.owasp).toFixed(2)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
