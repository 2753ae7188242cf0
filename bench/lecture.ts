/**
 * A lecture's start, on one driver (`--driver=bwrap`, the default, or `--driver=docker`): 300
 * learners (`--learners=N`) arrive over 60 s (`--seconds=S`) at random times (the same times for
 * every server in the run), and each, over the public protocol on loopback, creates a lab, opens
 * two terminals, waits for both prompts, then types a command into each and waits for its answer.
 * Every lab stays open to the end, as in a lecture.
 *
 * The same class meets three servers, each in a process of its own (its CPU and memory read from
 * /proc): no warm pool; the baseline, a fixed pool of 2 (the pool before it grew with demand,
 * LAB_WARM_POOL_MAX=2); and the default, a pool of 2 that grows with the starts (up to
 * LAB_WARM_POOL_MAX, 16). Both pools start each waiting sandbox's first shell. On Docker a fourth:
 * a pool of 50 prepared for the class (full before the first learner comes), as docs/deploy.md
 * advises there.
 * Targets: lab start p99 <= 250 ms on bwrap, <= 1 s on Docker; no errors under MAX_LABS.
 *
 *   node bench/lecture.ts [--driver=docker] [--learners=300] [--seconds=60] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { LabCgroup } from '../sandbox/drivers/cgroups.ts';
import { createLab, deleteLab, TermClient } from '../tests/support/lab-client.ts';
import { testDrivers, type DriverName } from '../tests/support/drivers.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import type { LabTicket } from '../wire/lab-api.ts';
import { machineCpuSeconds, mib, ms, pct, processCpuSeconds, row } from './report.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes('--quick');
const driver = (arg('driver') ?? 'bwrap') as DriverName;
const learners = Number(arg('learners') ?? (quick ? 60 : 300));
const seconds = Number(arg('seconds') ?? (quick ? 12 : 60));
const startTargetMs = driver === 'docker' ? 1000 : 250;

if (driver === 'docker' && !testDrivers().includes('docker')) {
  console.log('Lecture benchmark on Docker: no Docker engine answers here; start one (see README) to measure it.');
  process.exit(0);
}

/** A small seeded generator (mulberry32): the same arrivals for every server measured. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(20261129);
const arrivals = Array.from({ length: learners }, () => next() * seconds * 1000).sort((a, b) => a - b);

interface Learner {
  /** POST /api/labs answered. */
  startMs?: number;
  /** POST sent to both terminals' first output (their prompts). */
  promptMs?: number;
  /** A command typed into each terminal to both answers. */
  commandMs?: number;
  error?: string;
  lab?: LabTicket;
  terminals: TermClient[];
}

async function learn(base: string, index: number, learner: Learner): Promise<void> {
  const t0 = performance.now();
  learner.lab = await createLab(base);
  learner.startMs = performance.now() - t0;
  learner.terminals = await Promise.all(['main', 'second'].map((term) => TermClient.open(base, learner.lab!, term, { keep: 4096 })));
  await Promise.all(learner.terminals.map((t) => t.until(() => t.received > 0, 'first prompt', 60_000)));
  learner.promptMs = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(
    learner.terminals.map((t, i) => {
      const from = t.mark;
      // The answer (`L1000123`) is not in the typed line (`L$((123+1000000))`): only bash prints it.
      t.type(`echo L$((${index * 2 + i}+1000000))\r`);
      return t.waitFor(`L${index * 2 + i + 1_000_000}`, 60_000, from);
    }),
  );
  learner.commandMs = performance.now() - t1;
}

interface Outcome {
  starts: number[];
  prompts: number[];
  commands: number[];
  errors: Map<string, number>;
  serverCpuAvg: number;
  serverCpuPeak: number;
  machineCpuAvg: number;
  rssPeak: number;
  rssStart: number;
}

/** Waits (up to 3 min) until the server's warm pool holds `size` sandboxes, counted on the host. */
async function poolFilled(instance: string, size: number): Promise<void> {
  const count = () =>
    driver === 'docker'
      ? execFileSync('docker', ['ps', '-q', '--filter', `label=org.socketlab.instance=${instance}`], { encoding: 'utf8' }).split('\n').filter(Boolean).length
      : LabCgroup.existing(instance).length;
  for (const deadline = Date.now() + 180_000; count() < size && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 1000)); // the last one's held shell
}

async function lecture(env: Record<string, string>): Promise<Outcome> {
  const server = await startServerProcess({ SANDBOX_DRIVER: driver, MAX_LABS: String(learners + 50), MAX_LABS_PER_CLIENT: String(learners + 50), ...env });
  try {
    await poolFilled(server.instance, Number(env.LAB_WARM_POOL ?? 0)); // the pool fills at start
    const rssStart = server.rssBytes();
    let rssPeak = rssStart;
    let serverCpuPeak = 0;
    let lastCpu = processCpuSeconds(server.pid);
    const cpuStart = lastCpu;
    const machineStart = machineCpuSeconds();
    const wallStart = performance.now();
    const sampler = setInterval(() => {
      const cpu = processCpuSeconds(server.pid);
      serverCpuPeak = Math.max(serverCpuPeak, cpu - lastCpu);
      lastCpu = cpu;
      rssPeak = Math.max(rssPeak, server.rssBytes());
    }, 1000);

    const class_: Learner[] = arrivals.map(() => ({ terminals: [] }));
    const started = performance.now();
    await Promise.all(
      class_.map(async (learner, i) => {
        await new Promise((r) => setTimeout(r, Math.max(0, arrivals[i]! - (performance.now() - started))));
        await learn(server.base, i, learner).catch((err: Error) => (learner.error = err.message.slice(0, 120)));
      }),
    );
    clearInterval(sampler);
    const wall = (performance.now() - wallStart) / 1000;
    const machineEnd = machineCpuSeconds();
    const outcome: Outcome = {
      starts: class_.flatMap((l) => (l.startMs === undefined ? [] : [l.startMs])).sort((a, b) => a - b),
      prompts: class_.flatMap((l) => (l.promptMs === undefined ? [] : [l.promptMs])).sort((a, b) => a - b),
      commands: class_.flatMap((l) => (l.commandMs === undefined ? [] : [l.commandMs])).sort((a, b) => a - b),
      errors: new Map(),
      serverCpuAvg: (processCpuSeconds(server.pid) - cpuStart) / wall,
      serverCpuPeak,
      machineCpuAvg: (machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total),
      rssPeak,
      rssStart,
    };
    for (const { error } of class_) if (error) outcome.errors.set(error, (outcome.errors.get(error) ?? 0) + 1);
    for (const learner of class_) for (const t of learner.terminals) t.close();
    for (let i = 0; i < class_.length; i += 20) await Promise.all(class_.slice(i, i + 20).flatMap((l) => (l.lab ? [deleteLab(server.base, l.lab)] : [])));
    return outcome;
  } finally {
    await server.stop();
  }
}

console.log(`Socket Lab lecture benchmark, driver ${driver}: ${learners} learners arriving over ${seconds} s, two terminals each\n`);
const servers: [string, Record<string, string>][] = [
  ['no warm pool', { LAB_WARM_POOL: '0' }],
  ['a fixed pool of 2 (baseline: the pool before it grew)', { LAB_WARM_POOL: '2', LAB_WARM_POOL_MAX: '2' }],
  ['a pool that grows with demand (default, 2 to 16)', { LAB_WARM_POOL: '2' }],
  // Docker starts about three containers a second here: no pool grown during a lecture keeps up
  // with five learners a second, so docs/deploy.md says to prepare one before the class.
  ...(driver === 'docker' ? [['a pool prepared for the class (LAB_WARM_POOL=50, full before the first learner)', { LAB_WARM_POOL: '50' }] as [string, Record<string, string>]] : []),
];
const outcomes: Outcome[] = [];
for (const [name, env] of servers) {
  const o = await lecture(env);
  outcomes.push(o);
  console.log(`-- ${name} --`);
  const errors = [...o.errors.values()].reduce((a, b) => a + b, 0);
  row('lab start (POST answered), p50', ms(pct(o.starts, 50)), '', true);
  row('lab start, p99', ms(pct(o.starts, 99)), `<= ${startTargetMs} ms`, pct(o.starts, 99) <= startTargetMs);
  row('both prompts (POST to first bytes), p50', ms(pct(o.prompts, 50)), '', true);
  row('both prompts, p99', ms(pct(o.prompts, 99)), '', true);
  row('a command in each terminal answered, p99', ms(pct(o.commands, 99)), '', true);
  row('learners who got a lab and both answers', `${o.commands.length} of ${learners}`, 'all', errors === 0);
  for (const [message, n] of o.errors) console.log(`   ${n} x ${message}`);
  row('server CPU, average (share of one core)', `${(o.serverCpuAvg * 100).toFixed(0)} %`, '', true);
  row('server CPU, busiest second', `${(o.serverCpuPeak * 100).toFixed(0)} %`, '', true);
  row('machine CPU, average (all cores)', `${(o.machineCpuAvg * 100).toFixed(0)} %`, '', true);
  row('server memory (RSS), at start / peak', `${mib(o.rssStart)} / ${mib(o.rssPeak)}`, '', true);
  console.log('');
}
const [none, fixed, grown, prepared] = outcomes as [Outcome, Outcome, Outcome, Outcome | undefined];
if (prepared) row('lab start p99: grown pool / prepared pool', `${(pct(grown.starts, 99) / pct(prepared.starts, 99)).toFixed(1)}x`, '', true);
row('lab start p99: fixed pool / grown pool', `${(pct(fixed.starts, 99) / pct(grown.starts, 99)).toFixed(1)}x`, '', true);
row('lab start p99: no pool / grown pool', `${(pct(none.starts, 99) / pct(grown.starts, 99)).toFixed(1)}x`, '', true);
row('both prompts p99: fixed pool / grown pool', `${(pct(fixed.prompts, 99) / pct(grown.prompts, 99)).toFixed(1)}x`, '', true);
process.exit(0);
