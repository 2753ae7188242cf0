/**
 * What the lab microscope's views cost the server's machine with many labs open at once, on one
 * driver (`--driver=bwrap`, the default, or `--driver=docker`). The server runs as a process of its
 * own (`node server/main.ts`), so this benchmark's clients do not count. `--labs=50` labs each run a
 * listener and a connection made and closed twice a second (TIME_WAIT sockets pile up and count
 * down, and packets flow), then, for `--seconds=20` each:
 *
 * 1. no view open (the baseline: the labs, their terminals and their traffic);
 * 2. a Sockets view open on every lab;
 * 3. a Packets view open on every lab.
 *
 * Each phase reports, as a share of one core, the server process's CPU (its own /proc/<pid>/stat)
 * and the views' observers' summed over the labs: on bwrap, the host processes the server starts
 * (the Sockets view's shell with its ss, find and grep every 300 ms, and the Packets view's
 * tcpdump); on Docker, the observer containers' cgroups.
 *
 *   node bench/microscope.ts [--driver=docker] [--labs=50] [--seconds=20] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { testDrivers, type DriverName } from '../tests/support/drivers.ts';
import { createLab, TermClient } from '../tests/support/lab-client.ts';
import { MicroscopeClient } from '../tests/support/microscope-client.ts';
import { startServerProcess, type ServerProcess } from '../tests/support/server-process.ts';
import type { MicroscopeView } from '../wire/microscope.ts';

const quick = process.argv.includes('--quick');
const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const driver = option('driver', 'bwrap') as DriverName;
const labCount = Number(option('labs', quick ? '5' : '50'));
const seconds = Number(option('seconds', quick ? '5' : '20'));
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these

if (driver === 'docker' && !testDrivers().includes('docker')) {
  console.log('Lab microscope benchmark (docker): no Docker engine answers here; start one (see README) to measure it.');
  process.exit(0);
}

/** A process's CPU time in ms: its own, and with `children` that of the children it reaped. */
function processCpuMs(pid: number | string, children: boolean): number {
  // Fields after "pid (comm) ": state is [0], utime [11], stime [12], cutime [13], cstime [14].
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / TICKS;
}

/** The observers running now (every lab's), each as its CPU time so far in ms. */
function observers(server: ServerProcess): number[] {
  if (driver === 'docker') {
    const ids = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=org.socketlab.instance=${server.instance}`, '--filter', 'label=org.socketlab.observer'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    return ids.map((id) => {
      try {
        return Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 'utf8')) / 1e6;
      } catch {
        return 0; // removed meanwhile
      }
    });
  }
  // bwrap: observers are the server's children (nsenter execs the shell, which may exec tcpdump).
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (parent === server.pid && (argv[3] === 'observer' || argv[0] === 'tcpdump')) found.push(processCpuMs(pid, true));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

interface Phase {
  name: string;
  serverShare: number;
  observersShare: number;
  /** Observers running at the phase's end. */
  observerCount: number;
  frames: number;
}

/** CPU of the server and of the observers over `seconds`, as shares of one core. */
async function measure(name: string, server: ServerProcess, views: MicroscopeClient[]): Promise<Phase> {
  const frames = () => sum(views.map((v) => v.frames.length));
  const framesBefore = frames();
  const serverBefore = processCpuMs(server.pid, false);
  const observersBefore = sum(observers(server));
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wallMs = performance.now() - started;
  const running = observers(server);
  return {
    name,
    serverShare: (processCpuMs(server.pid, false) - serverBefore) / wallMs,
    observersShare: (sum(running) - observersBefore) / wallMs,
    observerCount: running.length,
    frames: frames() - framesBefore,
  };
}

/** Opens `view` on every lab and waits until each one is live (a first picture, or the capture started). */
async function openViews(server: ServerProcess, labs: Awaited<ReturnType<typeof createLab>>[], view: MicroscopeView): Promise<MicroscopeClient[]> {
  const live = view === 'sockets' ? 'sockets' : 'packet-capture-start';
  const clients: MicroscopeClient[] = [];
  for (const lab of labs) clients.push(await MicroscopeClient.open(server.base, lab, view));
  await Promise.all(clients.map((c) => c.until((f) => f.type === live, `the ${view} view live`, 60_000)));
  return clients;
}

async function closeViews(server: ServerProcess, views: MicroscopeClient[]): Promise<void> {
  for (const view of views) view.close();
  // Until every observer has gone, so the next phase measures its own (a loaded Docker engine
  // took over 30 s to remove 50 containers).
  const deadline = Date.now() + 180_000;
  while (observers(server).length > 0) {
    if (Date.now() > deadline) throw new Error(`${observers(server).length} observers still run 3 min after their views closed`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const server = await startServerProcess({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '3600' });
const terminals: TermClient[] = [];
try {
  const labs = [];
  for (let i = 0; i < labCount; i++) {
    const lab = await createLab(server.base);
    const term = await TermClient.open(server.base, lab, 'main');
    await term.waitFor('$ ', 60_000);
    term.type('nc -lk 127.0.0.1 7000 >/dev/null & while :; do echo hi | nc -q0 127.0.0.1 7000; sleep 0.5; done\r');
    labs.push(lab);
    terminals.push(term);
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const phases = [await measure('no view open (baseline)', server, [])];
  let views = await openViews(server, labs, 'sockets');
  phases.push(await measure('a Sockets view on each lab', server, views));
  await closeViews(server, views);
  views = await openViews(server, labs, 'packets');
  phases.push(await measure('a Packets view on each lab', server, views));
  await closeViews(server, views);

  const core = (share: number) => `${(share * 100).toFixed(1)} %`.padStart(9);
  console.log(`\n== lab microscope: CPU with ${labCount} labs open, ${driver}, ${seconds} s a phase (shares of one core) ==`);
  console.log(`each lab: a listener and a connection made and closed twice a second\n`);
  console.log(`${'phase'.padEnd(30)} ${'server'.padStart(9)} ${'observers'.padStart(9)}   server per view   frames sent   observers running`);
  for (const phase of phases) {
    const perView = phase === phases[0] ? '' : core((phase.serverShare - phases[0]!.serverShare) / labCount);
    console.log(`${phase.name.padEnd(30)} ${core(phase.serverShare)} ${core(phase.observersShare)}   ${perView.padStart(15)}   ${String(phase.frames).padStart(11)}   ${phase.observerCount}`);
  }
} finally {
  for (const term of terminals) term.close();
  await server.stop();
}
