/**
 * What one open Sockets view costs the server's machine, on one driver (`--driver=bwrap`, the
 * default, or `--driver=docker`): a lab with a listener and a connection in it, the view open for
 * `--seconds=20`, and the CPU time spent meanwhile by the server process (parsing, framing, sending)
 * and by the view's observer (ss, find and grep every 300 ms), as a share of one core.
 *
 *   node bench/microscope.ts [--driver=docker] [--seconds=20]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { DriverName } from '../tests/support/drivers.ts';
import { createLab, TermClient } from '../tests/support/lab-client.ts';
import { MicroscopeClient } from '../tests/support/microscope-client.ts';
import { initPid } from '../tests/support/sandboxes.ts';
import { startTestServer } from '../tests/support/server-harness.ts';

const driver = (process.argv.find((a) => a.startsWith('--driver='))?.slice('--driver='.length) ?? 'bwrap') as DriverName;
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice('--seconds='.length) ?? 20);
const TICKS = 100; // USER_HZ

/** The observer's CPU time so far, in ms: its process tree (bwrap) or its container's cgroup (Docker). */
function observerCpuMs(labPid: number): number {
  const net = readlinkSync(`/proc/${labPid}/ns/net`);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[3] !== 'observer' || readlinkSync(`/proc/${pid}/ns/net`) !== net) continue;
      if (driver === 'docker') {
        const id = /docker[-/]([0-9a-f]{64})/.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1];
        return Number(execFileSync('cat', [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`], { encoding: 'utf8' })) / 1e6;
      }
      // The shell's own time and its reaped children's (ss, find, grep, sleep).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / TICKS;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no observer found');
}

const server = await startTestServer({ SANDBOX_DRIVER: driver });
try {
  const lab = await createLab(server.base);
  const [a, b] = await Promise.all([TermClient.open(server.base, lab, 'a'), TermClient.open(server.base, lab, 'b')]);
  await Promise.all([a.waitFor('$ '), b.waitFor('$ ')]);
  // A listener, and a connection made and closed twice a second: TIME_WAIT sockets pile up and
  // count down, so the picture changes (and goes out) every time it is read.
  a.type('nc -lk 127.0.0.1 7000 > /dev/null\r');
  b.type('while :; do echo hi | nc -q0 127.0.0.1 7000; sleep 0.5; done\r');
  const view = await MicroscopeClient.open(server.base, lab, 'sockets');
  await view.picture((s) => s.some((x) => x.state === 'TIME_WAIT'), 'a closed connection', 20_000);
  const labPid = initPid(driver, server.config.SANDBOX_INSTANCE, lab.labId);
  const frames = view.frames.length;
  const serverBefore = process.cpuUsage();
  const observerBefore = observerCpuMs(labPid);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wallMs = performance.now() - started;
  const serverCpu = process.cpuUsage(serverBefore);
  const serverMs = (serverCpu.user + serverCpu.system) / 1000;
  const observerMs = observerCpuMs(labPid) - observerBefore;
  const share = (ms: number) => `${((ms / wallMs) * 100).toFixed(1)} % of one core`;
  console.log(`Sockets view, ${driver}, ${seconds} s open, ${view.frames.length - frames} pictures sent (the last with ${view.latest?.sockets.length} sockets):`);
  console.log(`  server process (whole test process, terminals included): ${share(serverMs)}`);
  console.log(`  observer (ss, find, grep every 300 ms):                  ${share(observerMs)}`);
  view.close();
  a.close();
  b.close();
} finally {
  await server.stop();
}
