/**
 * Lab backend benchmarks, against a real server with real sandboxes on this machine, for one
 * driver (`--driver=bwrap`, the default, or `--driver=docker`):
 *
 * - lab start: POST /api/labs to the first prompt byte on a new terminal, and where that time
 *   goes (target p50 <= 15 ms bwrap, <= 150 ms docker; both with the default warm pool, whose
 *   sandboxes wait with their first shell started); a second terminal's shell, started on attach
 *   as every shell was before, is the baseline
 * - keystroke echo latency, one lab alone and while 200 other labs each type once a second
 *   (targets p99 <= 5 ms and <= 25 ms)
 * - output throughput through the bridge, against the raw PTY on the host (baseline; target >= 50 %)
 * - memory per idle lab and how many idle labs fit (targets <= 10 MiB and >= 1000)
 *
 * Run with `npm run bench` (as root: the sandbox needs cgroups). `--quick` shrinks every count.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as pty from 'node-pty';
import { start as startWetty, getLogger as wettyLogger } from 'wetty';
import { createLab, deleteLab, TermClient, terminalTicket, terminalUrl } from '../tests/support/lab-client.ts';
import type { LabTicket } from '../wire/lab-api.ts';
import { testDrivers, type DriverName } from '../tests/support/drivers.ts';
import { probe } from '../tests/support/probe.ts';
import { startTestServer } from '../tests/support/server-harness.ts';
import { mib, ms, pct, row } from './report.ts';

const quick = process.argv.includes('--quick');
const driver = (process.argv.find((a) => a.startsWith('--driver='))?.slice('--driver='.length) ?? 'bwrap') as DriverName;
if (driver === 'docker' && !testDrivers().includes('docker')) {
  console.log('Docker driver benchmarks: no Docker engine answers here; start one (see README) to measure them.');
  process.exit(0);
}
const startTarget = driver === 'docker' ? 150 : 15;

async function echoLatencies(t: TermClient, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const from = t.mark;
    const t0 = performance.now();
    t.type(key);
    await t.waitFor(key, 5000, from);
    out.push(performance.now() - t0);
  }
  t.type('\x15');
  return out.sort((a, b) => a - b);
}

/** Memory the kernel charges to a lab's cgroup: its processes, page cache and tmpfs files. */
function labMemory(labId: string): number {
  return Number(readFileSync(probe(driver).cgroupFile(server.config.SANDBOX_INSTANCE, labId, 'memory', 'memory.usage_in_bytes'), 'utf8'));
}

async function rawPtyThroughput(bytes: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let got = 0;
    const p = pty.spawn('/bin/sh', ['-c', `head -c ${bytes} /dev/zero | tr '\\0' x`], { cols: 120, rows: 40, encoding: null });
    p.onData((d) => (got += d.length));
    p.onExit(() => resolve(got / ((performance.now() - t0) / 1000)));
  });
}

const server = await startTestServer({ LOG_LEVEL: 'warn', SANDBOX_DRIVER: driver, MAX_LABS: '2000', MAX_LABS_PER_CLIENT: '2000', LAB_IDLE_SECONDS: '3600', LAB_WARM_POOL: '2' });
const base = server.base;
console.log(`Socket Lab lab benchmarks (${quick ? 'quick' : 'full'}), driver ${server.driver.name}\n`);

// --- lab start ------------------------------------------------------------------------------
interface Start {
  /** POST /api/labs answered. */
  post: number;
  /** ...then a terminal ticket answered. */
  ticket: number;
  /** ...then the WebSocket's READY. */
  ready: number;
  /** ...then the first prompt byte: the whole start. */
  firstByte: number;
  /** A second terminal in the same lab, ticket to first byte: a shell started on attach. */
  secondShell: number;
}

/** POST to first prompt byte, `count` times, one start every `gapMs` (a class arriving), in steps. */
async function labStarts(at: string, count: number, gapMs: number): Promise<Start[]> {
  const starts: Start[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    const lab = await createLab(at);
    const post = performance.now() - t0;
    const { ticket } = await terminalTicket(at, lab, 'main');
    const ticketAt = performance.now() - t0;
    const t = TermClient.connect(terminalUrl(at, lab.labId, 'main', ticket));
    await t.opened();
    const ready = performance.now() - t0;
    await t.until(() => t.received > 0, 'first byte');
    const firstByte = performance.now() - t0;
    const t1 = performance.now();
    const second = await TermClient.open(at, lab, 'second');
    await second.until(() => second.received > 0, 'first byte');
    starts.push({ post, ticket: ticketAt, ready, firstByte, secondShell: performance.now() - t1 });
    t.close();
    second.close();
    await deleteLab(at, lab);
  }
  return starts;
}
const sortedBy = (starts: Start[], key: keyof Start) => starts.map((s) => s[key]).sort((a, b) => a - b);
// The pool refills in the background: a bwrap sandbox and its shell in ~60 ms, a container in ~0.5 s.
const starts = await labStarts(base, quick ? 10 : 40, driver === 'docker' ? 1000 : 100);
const firstBytes = sortedBy(starts, 'firstByte');
row('lab start, POST to first prompt byte, p50', ms(pct(firstBytes, 50)), `<= ${startTarget} ms`, pct(firstBytes, 50) <= startTarget);
row('lab start, p90', ms(pct(firstBytes, 90)), '', true);
row('  of which: POST /api/labs answered, p50', ms(pct(sortedBy(starts, 'post'), 50)), '', true);
row('  then a terminal ticket, p50 (cumulative)', ms(pct(sortedBy(starts, 'ticket'), 50)), '', true);
row('  then the WebSocket READY, p50 (cumulative)', ms(pct(sortedBy(starts, 'ready'), 50)), '', true);
const secondShells = sortedBy(starts, 'secondShell');
row('a shell started on attach (second terminal), p50', ms(pct(secondShells, 50)), '', true);
row('first terminal (shell waiting) / started on attach', `${(pct(firstBytes, 50) / pct(secondShells, 50)).toFixed(2)}x`, '', true);
const coldServer = await startTestServer({ LOG_LEVEL: 'warn', SANDBOX_DRIVER: driver, LAB_WARM_POOL: '0' });
const cold = sortedBy(await labStarts(coldServer.base, quick ? 5 : 10, 0), 'firstByte');
await coldServer.stop();
row('lab start without a warm pool, p50', ms(pct(cold, 50)), '', true);

// --- echo latency ---------------------------------------------------------------------------
const lab = await createLab(base);
const main = await TermClient.open(base, lab, 'main');
await main.waitFor('$ ');
await echoLatencies(main, 20);
const single = await echoLatencies(main, quick ? 100 : 400);
row('echo latency, one lab, p50', ms(pct(single, 50)), '', true);
row('echo latency, one lab, p99', ms(pct(single, 99)), '<= 5 ms', pct(single, 99) <= 5);

const crowdSize = quick ? 50 : 200;
const crowd: { lab: LabTicket; t: TermClient }[] = [];
for (let i = 0; i < crowdSize; i++) {
  const l = await createLab(base);
  const t = await TermClient.open(base, l, 'main', { keep: 4096 });
  crowd.push({ lab: l, t });
}
await Promise.all(crowd.map(({ t }) => t.waitFor('$ ', 30_000)));
// Each lab types once a second, spread evenly over the second.
const typers = crowd.map(({ t }, i) =>
  setTimeout(() => {
    const timer = setInterval(() => t.type('x'), 1000);
    typers.push(timer as unknown as NodeJS.Timeout);
  }, (i * 1000) / crowdSize),
);
await new Promise((r) => setTimeout(r, 1500));
const loaded = await echoLatencies(main, quick ? 100 : 400);
for (const timer of typers) clearInterval(timer);
row(`echo latency, with ${crowdSize} labs typing 1/s, p50`, ms(pct(loaded, 50)), '', true);
row(`echo latency, with ${crowdSize} labs typing 1/s, p99`, ms(pct(loaded, 99)), '<= 25 ms', pct(loaded, 99) <= 25);
for (const { lab: l, t } of crowd) {
  t.close();
  await deleteLab(base, l);
}

// --- memory per idle lab ------------------------------------------------------------------------
global.gc?.();
const rssBefore = process.memoryUsage().rss;
const idle: LabTicket[] = [];
// A container costs far more than a bwrap lab (its runc shim alone is several MiB), so Docker
// measures fewer and estimates the rest from free memory.
const idleCount = driver === 'docker' ? (quick ? 20 : 100) : quick ? 100 : 1000;
const freeBefore = freemem();
for (let i = 0; i < idleCount; i += 10) idle.push(...(await Promise.all(Array.from({ length: Math.min(10, idleCount - i) }, () => createLab(base)))));
await new Promise((r) => setTimeout(r, 500));
const inLabs = idle.reduce((sum, l) => sum + labMemory(l.labId), 0);
const serverGrowth = Math.max(0, process.memoryUsage().rss - rssBefore);
const perLab = (inLabs + serverGrowth) / idleCount;
const machineDrop = (freeBefore - freemem()) / idleCount;
row(`memory per idle lab (cgroup + server), ${idleCount} labs`, mib(perLab), '<= 10 MiB', perLab <= 10 * 1048576);
row('memory per idle lab (drop in free memory)', mib(machineDrop), '', true);
row('idle labs running at once', String(idle.length), '', true);
row('idle labs that fit in free memory (estimate)', String(Math.floor(freeBefore / Math.max(perLab, machineDrop))), '>= 1000', freeBefore / Math.max(perLab, machineDrop) >= 1000);
for (const l of idle) await deleteLab(base, l);

// --- throughput -----------------------------------------------------------------------------
const total = (quick ? 32 : 128) * 1048576;
const raw = await rawPtyThroughput(total);
const worker = new Worker(new URL('./flood-worker.ts', import.meta.url), { workerData: { base, lab, bytes: total } });
const bridged = await new Promise<number>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
await worker.terminate();
row('output throughput, raw PTY on the host (baseline)', `${mib(raw)}/s`, '', true);
row('output throughput, through the bridge', `${mib(bridged)}/s`, '', true);
row('bridge / raw PTY', `${((bridged / raw) * 100).toFixed(0)} %`, '>= 50 %', bridged / raw >= 0.5);

// wetty (npm `wetty`, socket.io, bash on the host with no sandbox) on the same machine, same run.
wettyLogger().level = 'error';
const wettyPort = 20_000 + Math.floor(Math.random() * 20_000);
const wettySsh = { user: '', host: 'localhost', auth: 'password', port: 22, knownHosts: '/dev/null', allowRemoteHosts: false, allowRemoteCommand: false, config: '' };
const wettyServer = await startWetty(wettySsh, { base: '/wetty/', port: wettyPort, host: '127.0.0.1', socket: false, title: 'wetty', allowIframe: false }, '/bin/bash', false);
const wettyWorker = new Worker(new URL('./wetty-worker.ts', import.meta.url), { workerData: { port: wettyPort, bytes: total } });
const wetty = await new Promise<number>((resolve, reject) => {
  wettyWorker.once('message', resolve);
  wettyWorker.once('error', reject);
});
await wettyWorker.terminate();
wettyServer.close();
row('output throughput, wetty', `${mib(wetty)}/s`, '', true);
row('bridge / wetty', `${(bridged / wetty).toFixed(2)}x`, '>= 2x', bridged / wetty >= 2);

main.close();
await deleteLab(base, lab);
await server.stop();
process.exit(0);
