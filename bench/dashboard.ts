/**
 * Live dashboard benchmark (`node bench/dashboard.ts`, `--quick` for a short run): what a student
 * recording checks as fast as the server commits them costs while instructors watch.
 *
 * A real server (in this process, bubblewrap driver, no lab needed) with a class of 40 students x
 * 6 exercises and ~10 checks each; 3 dashboards of the assignment open over the real event stream
 * (in a worker thread, as browsers would be apart); one student's checks recorded back to back
 * through the classroom, the way POST .../check records them (the checker's run left out: it
 * happens in the lab, not in the server). This is the worst case the per-student limits
 * (CHECKS_PER_MINUTE) exist for, or a large class checking at their limits at once.
 *
 * Two modes in the same run: DASHBOARD_PUSH_MS=0 (baseline: one grid push per check) and the
 * default 1000 ms debounce. Figures: checks recorded per second, row pushes each dashboard
 * receives per second, the server thread's CPU (process.threadCpuUsage, the dashboards' thread
 * excluded) and the event loop's p99 delay (what any other request waits meanwhile).
 * Never part of the tests.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { COOKIES } from '../server/classroom/cookies.ts';
import { hashToken, newToken } from '../server/classroom/tokens.ts';
import type { CheckLine } from '../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../tests/support/server-harness.ts';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 6;
const STUDENTS = 40;
const EXERCISES = ['tcp-echo', 'tcp-frames', 'udp-upper', 'udp-truncation', 'uds-abstract', 'http-kv'];
const HISTORY = quick ? 3 : 10;
const DASHBOARDS = 3;

const CHECKS: CheckLine[] = Array.from({ length: 5 }, (_, i) => ({
  id: `check-${i}`,
  title: `The server answers request ${i} on its own connection`,
  pass: i < 3,
  sent: 'hello\n',
  expected: 'hello\n',
  got: i < 3 ? 'hello\n' : 'connection reset by peer',
  hint: i < 3 ? '' : 'Read the whole request before you answer, then close your side.',
}));

interface Figures {
  mode: string;
  checksPerSecond: number;
  pushesPerSecond: number;
  cpuPercent: number;
  loopP99Ms: number;
}

/** A class with its history, an instructor's session, and the learner who will check. */
async function seed(app: TestServer): Promise<{ eventsUrl: string; cookie: string; learnerId: number }> {
  const store = app.classroom.store;
  const owner = await store.createUser({ email: 'bench@example.org', name: 'Bench', passwordHash: 'x' });
  const token = newToken();
  await store.createSession({ tokenHash: hashToken(token), userId: owner.id, csrf: newToken(), createdAt: Date.now(), expiresAt: Date.now() + 3_600_000 });
  const classRoom = await store.createClass({ ownerId: owner.id, name: 'Bench', joinCode: 'BENCH234' });
  const assignment = await store.createAssignment({ classId: classRoom.id, title: 'Week 1', exerciseIds: EXERCISES, opensAt: 0, dueAt: Date.now() + 86_400_000, latePolicy: 'marked-late', solutions: 'after-pass' });
  const learners: number[] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const learner = await store.createLearner({ tokenHash: `bench-${i}`, userId: null });
    await store.addMember({ classId: classRoom.id, learnerId: learner.id, displayName: `Student ${i}` });
    learners.push(learner.id);
  }
  for (let round = 0; round < HISTORY; round++) {
    for (const learnerId of learners) for (const exerciseId of EXERCISES) await store.addSubmission({ learnerId, exerciseId, lang: 'c', passed: round % 6, total: 5, checks: CHECKS });
  }
  return { eventsUrl: `${app.base}/classes/${classRoom.id}/assignments/${assignment.id}/events`, cookie: `${COOKIES.session}=${token}`, learnerId: learners[0]! };
}

async function measure(mode: string, pushMs: number): Promise<Figures> {
  const app = await startTestServer({ DASHBOARD_PUSH_MS: String(pushMs), LAB_WARM_POOL: '0', LOG_LEVEL: 'silent' });
  try {
    const { eventsUrl, cookie, learnerId } = await seed(app);
    const dashboards = new Worker(new URL('./dashboard-worker.ts', import.meta.url), { workerData: { url: eventsUrl, cookie, dashboards: DASHBOARDS } });
    const rowsSoFar = () => new Promise<number>((resolve) => (dashboards.once('message', resolve), dashboards.postMessage('count')));
    await new Promise((resolve, reject) => (dashboards.once('message', resolve), dashboards.once('error', reject)));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the feed has read the class

    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const rows0 = await rowsSoFar();
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    let checks = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      await app.classroom.recordCheck({ learnerId, exerciseId: EXERCISES[checks % EXERCISES.length]!, lang: 'c', passed: checks % 5, total: 5, checks: CHECKS });
      checks++;
      // Each check is its own request: let the event loop turn between them, as it would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.threadCpuUsage(cpu0);
    const rows = (await rowsSoFar()) - rows0;
    delay.disable();
    await dashboards.terminate();
    return {
      mode,
      checksPerSecond: checks / seconds,
      pushesPerSecond: rows / DASHBOARDS / seconds,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
      loopP99Ms: delay.percentile(99) / 1e6,
    };
  } finally {
    await app.stop();
  }
}

console.log(`\n== live dashboards: ${DASHBOARDS} open on a class of ${STUDENTS} x ${EXERCISES.length} exercises, one student's checks back to back, ${SECONDS} s per mode${quick ? ' (quick)' : ''} ==\n`);
const baseline = await measure('one push per check (DASHBOARD_PUSH_MS=0)', 0);
const debounced = await measure('debounced (DASHBOARD_PUSH_MS=1000, default)', 1000);
console.log(`${'mode'.padEnd(46)} ${'checks/s'.padStart(9)} ${'pushes/s per dashboard'.padStart(23)} ${'server CPU'.padStart(11)} ${'loop p99'.padStart(10)}`);
for (const f of [baseline, debounced]) {
  console.log(`${f.mode.padEnd(46)} ${f.checksPerSecond.toFixed(0).padStart(9)} ${f.pushesPerSecond.toFixed(1).padStart(23)} ${`${f.cpuPercent.toFixed(0)} %`.padStart(11)} ${`${f.loopP99Ms.toFixed(1)} ms`.padStart(10)}`);
}
const cpuPerCheck = (f: Figures) => (f.cpuPercent * 10) / f.checksPerSecond; // ms of CPU per recorded check
console.log(`\nThe debounce records ${(debounced.checksPerSecond / baseline.checksPerSecond).toFixed(1)}x the checks per second with ${(debounced.pushesPerSecond / baseline.pushesPerSecond).toFixed(3)}x the pushes;`);
console.log(`server CPU per recorded check: ${cpuPerCheck(debounced).toFixed(2)} ms debounced vs ${cpuPerCheck(baseline).toFixed(2)} ms (${(cpuPerCheck(debounced) / cpuPerCheck(baseline)).toFixed(2)}x).`);
