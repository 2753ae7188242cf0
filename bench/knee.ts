/**
 * The knee: how many labs this machine holds, each with two open terminals and typing once a
 * second, while one more lab's keystroke echo stays at p99 <= 25 ms. Steps the count up (250, 500,
 * 750, 1000, 1250, 1500, 2000; `--steps=a,b,...` to choose) against a server in a process of its
 * own, and at each step reports the echo, the server's CPU, memory, descriptors and event-loop
 * lag, the machine's CPU and free memory, and this load generator's own CPU (it shares the
 * machine). Where the echo breaks, it says which of those ran out. Target: >= 1000 labs on bwrap.
 *
 *   node bench/knee.ts [--driver=docker] [--steps=250,500,1000] [--quick]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createLab, deleteLab, TermClient } from '../tests/support/lab-client.ts';
import type { LabTicket } from '../wire/lab-api.ts';
import { testDrivers, type DriverName } from '../tests/support/drivers.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { machineCpuSeconds, mib, ms, pct, processCpuSeconds, row } from './report.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes('--quick');
const driver = (arg('driver') ?? 'bwrap') as DriverName;
const steps = (arg('steps') ?? (quick ? '50,100,200' : '250,500,750,1000,1250,1500,2000')).split(',').map(Number);
const ECHO_TARGET_MS = 25;

if (driver === 'docker' && !testDrivers().includes('docker')) {
  console.log('Knee benchmark on Docker: no Docker engine answers here; start one (see README) to measure it.');
  process.exit(0);
}

const memAvailable = () => Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
const memTotal = () => Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const fdLimit = (pid: number) => Number(/Max open files\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))![1]);

/** The server's event-loop lag p99 since the last read (prom-client's default metric), in ms. */
async function eventLoopLagMs(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

/** One keystroke every PROBE_GAP_MS, as a typist would: the probe adds little load of its own. */
const PROBE_GAP_MS = 20;

async function echoLatencies(t: TermClient, count: number): Promise<number[]> {
  const out: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, Math.max(0, start + i * PROBE_GAP_MS - performance.now())));
    const key = String.fromCharCode(97 + (i % 26));
    const from = t.mark;
    const t0 = performance.now();
    t.type(key);
    await t.waitFor(key, 10_000, from);
    out.push(performance.now() - t0);
    if (i % 50 === 49) t.type('\x15'); // Ctrl-U: keep the line short
  }
  return out.sort((a, b) => a - b);
}

// No warm pool: the knee is about labs that run, and a pool filling and shrinking around each step's
// starts would be measured with them.
const server = await startServerProcess({ SANDBOX_DRIVER: driver, LAB_WARM_POOL: '0', MAX_LABS: '5000', MAX_LABS_PER_CLIENT: '5000', MAX_TERMINALS_PER_LAB: '6', LAB_IDLE_SECONDS: '3600' });
console.log(`Socket Lab knee benchmark, driver ${driver}: labs with two terminals each, typing once a second; echo p99 target <= ${ECHO_TARGET_MS} ms\n`);
const probeLab = await createLab(server.base);
const probe = await TermClient.open(server.base, probeLab, 'main');
await probe.waitFor('$ ');

const labs: TermClient[][] = [];
const tickets: LabTicket[] = [];
let knee: { at: number; why: string } | null = null;
let lastGood = 0;
try {
  for (const target of steps) {
    // Grow to `target` labs, ten at a time, each with two terminals at their prompts.
    let failed: string | null = null;
    while (labs.length < target && !failed) {
      const batch = Math.min(10, target - labs.length);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const lab = await createLab(server.base);
          tickets.push(lab);
          const terms = await Promise.all(['main', 'second'].map((name) => TermClient.open(server.base, lab, name, { keep: 1024 })));
          await Promise.all(terms.map((t) => t.until(() => t.received > 0, 'first prompt', 60_000)));
          labs.push(terms);
        }),
      ).catch((err: Error) => (failed = err.message.slice(0, 160)));
    }
    if (failed) {
      knee = { at: target, why: `a lab could not start with ${labs.length} running: ${failed}` };
      break;
    }
    // Each lab types once a second, into its two terminals in turn, spread evenly over the second.
    const typers: NodeJS.Timeout[] = [];
    labs.forEach((terms, i) => {
      let n = 0;
      typers.push(
        setTimeout(() => {
          typers.push(
            setInterval(() => {
              const t = terms[n++ % 2]!;
              t.type(n % 40 === 0 ? '\x15' : 'x');
            }, 1000),
          );
        }, (i * 1000) / labs.length),
      );
    });
    await new Promise((r) => setTimeout(r, 3000));
    await eventLoopLagMs(server.base); // prom-client starts its lag histogram again at each read
    const cpu0 = processCpuSeconds(server.pid);
    const self0 = process.cpuUsage();
    const machine0 = machineCpuSeconds();
    const wall0 = performance.now();
    const echoes = await echoLatencies(probe, 300);
    const wall = (performance.now() - wall0) / 1000;
    const machine1 = machineCpuSeconds();
    const selfCpu = (process.cpuUsage(self0).user + process.cpuUsage(self0).system) / 1e6 / wall;
    const serverCpu = (processCpuSeconds(server.pid) - cpu0) / wall;
    const machineCpu = (machine1.busy - machine0.busy) / (machine1.total - machine0.total);
    const lag = await eventLoopLagMs(server.base);
    const fds = openFds(server.pid);
    const free = memAvailable();
    for (const timer of typers) clearInterval(timer);

    const p99 = pct(echoes, 99);
    console.log(`-- ${labs.length} labs, ${labs.length * 2} terminals, ${labs.length} keystrokes a second --`);
    row('echo latency of one more lab, p50', ms(pct(echoes, 50)), '', true);
    row('echo latency of one more lab, p99', ms(p99), `<= ${ECHO_TARGET_MS} ms`, p99 <= ECHO_TARGET_MS);
    row('server CPU (share of one core)', `${(serverCpu * 100).toFixed(0)} %`, '', true);
    row('server event-loop lag, p99', ms(lag), '', true);
    row('server memory (RSS)', mib(server.rssBytes()), '', true);
    row('server descriptors, open / limit', `${fds} / ${fdLimit(server.pid)}`, '', true);
    row('machine CPU (all cores)', `${(machineCpu * 100).toFixed(0)} %`, '', true);
    row('machine memory available', `${mib(free)} of ${mib(memTotal())}`, '', true);
    row('this load generator CPU (share of one core)', `${(selfCpu * 100).toFixed(0)} %`, '', true);
    console.log('');
    if (p99 > ECHO_TARGET_MS) {
      const why = [
        machineCpu > 0.9 ? `the machine's CPU (${(machineCpu * 100).toFixed(0)} % busy)` : '',
        serverCpu > 0.9 ? `the server's one thread (${(serverCpu * 100).toFixed(0)} % of a core, event-loop lag p99 ${lag.toFixed(1)} ms)` : '',
        free < memTotal() * 0.1 ? `memory (${mib(free)} available)` : '',
        fds > fdLimit(server.pid) * 0.9 ? `descriptors (${fds} open)` : '',
      ].filter(Boolean);
      knee = { at: labs.length, why: why.length > 0 ? why.join(' and ') : 'none of CPU, memory or descriptors ran out: scheduling delay of the echo itself' };
      break;
    }
    lastGood = labs.length;
  }
} finally {
  for (const terms of labs) for (const t of terms) t.close();
  probe.close();
  // Ended here, twenty at a time: a server told to stop with a thousand labs would take longer
  // than server-process.ts waits before it kills it, and leave their mounts behind.
  for (let i = 0; i < tickets.length; i += 20) await Promise.all(tickets.slice(i, i + 20).map((lab) => deleteLab(server.base, lab)));
  await server.stop();
}
row('labs held with echo p99 within target', String(lastGood), '>= 1000', lastGood >= 1000);
if (knee) console.log(`The echo broke at ${knee.at} labs: ${knee.why}.`);
else console.log(`The echo held at every step, up to ${lastGood} labs: step further with --steps.`);
process.exit(0);
