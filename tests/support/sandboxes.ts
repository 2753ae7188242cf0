/**
 * Sandbox drivers made directly, without a server, for tests of the drivers themselves; and a
 * lab's init found and killed from the host, as a crash or an outside `kill` would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BwrapDriver } from '../../sandbox/drivers/bwrap.ts';
import { LabCgroup } from '../../sandbox/drivers/cgroups.ts';
import { withDeadline } from '../../sandbox/drivers/deadline.ts';
import { DockerDriver } from '../../sandbox/drivers/docker.ts';
import type { SandboxDriver } from '../../sandbox/drivers/types.ts';
import { sandboxImage } from '../../sandbox/image/image.ts';
import type { DriverName } from './drivers.ts';
import { ROOT } from './examples.ts';

export const testLimits = { memoryBytes: 256 << 20, pids: 64, cpus: 1, tmpBytes: 64 << 20, inodes: 40_960, terminals: 2, idleSeconds: 60, ttlSeconds: 60 };

/** A driver of its own instance (so its cgroups and containers are told apart from any other test's). */
export async function makeDriver(name: DriverName, instance: string, options: { startTimeoutMs?: number } = {}): Promise<SandboxDriver> {
  if (name === 'docker') return DockerDriver.connect({ image: sandboxImage(), instance, ...options });
  return new BwrapDriver({
    examplesDir: join(ROOT, 'content/examples'),
    nodeModulesDir: join(ROOT, 'node_modules'),
    stateDir: mkdtempSync('/tmp/sl-state-'),
    instance,
    goCacheDir: '/var/cache/socketlab/go-build',
    ...options,
  });
}

/** The host pid of a bwrap lab's init: the process of its cgroup that is pid 1 in its own pid namespace. */
export function bwrapInitPid(instance: string, labId: string): number {
  const pids = readFileSync(new LabCgroup(instance, labId).procsFiles[0]!, 'utf8').split('\n').filter(Boolean);
  for (const pid of pids) {
    if (/^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return Number(pid);
  }
  throw new Error(`lab ${labId} has no init among the processes of its cgroup (${pids.join(', ')})`);
}

/** The host pid of a lab's first process: bwrap's namespace init, or the container's docker-init. */
export function initPid(driver: DriverName, instance: string, labId: string): number {
  if (driver === 'bwrap') return bwrapInitPid(instance, labId);
  // The lab's own container, not an observer of it (which carries the lab's labels too).
  const listed = execFileSync('docker', ['ps', '--format', '{{.ID}} {{.Label "org.socketlab.observer"}}', '--filter', `label=org.socketlab.instance=${instance}`, '--filter', `label=org.socketlab.lab=${labId}`], { encoding: 'utf8' });
  const container = listed.split('\n').find((line) => /^\w+ ?$/.test(line))!.trim();
  return Number(execFileSync('docker', ['inspect', '--format', '{{.State.Pid}}', container], { encoding: 'utf8' }).trim());
}

/** Rejects with `what` when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`${what} did not happen within ${ms} ms`));
}
