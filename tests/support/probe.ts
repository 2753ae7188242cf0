/**
 * Looks at a lab's sandbox from the host, the way an operator would, for either driver: which
 * sandboxes an instance has, and the files of a lab's control groups (this machine is cgroup v1).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LabCgroup, limitFromCounters } from '../../sandbox/drivers/cgroups.ts';
import type { DriverName } from './drivers.ts';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);

export interface SandboxProbe {
  /** Lab ids of the sandboxes (cgroups or containers) a server instance has on this machine. */
  existing(instance: string): string[];
  /** A cgroup v1 file of a lab, e.g. cgroupFile(i, id, 'pids', 'pids.current'). */
  cgroupFile(instance: string, labId: string, controller: string, file: string): string;
  /** Which limit has bitten the lab, from its cgroup counters. */
  limitHit(instance: string, labId: string): 'oom' | 'limit' | null;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function probeFor(cgroupDir: (instance: string, labId: string, controller: string) => string, existing: (instance: string) => string[]): SandboxProbe {
  return {
    existing,
    cgroupFile: (instance, labId, controller, file) => `${cgroupDir(instance, labId, controller)}/${file}`,
    limitHit: (instance, labId) =>
      limitFromCounters(read(`${cgroupDir(instance, labId, 'memory')}/memory.oom_control`), read(`${cgroupDir(instance, labId, 'pids')}/pids.events`)),
  };
}

export function probe(driver: DriverName): SandboxProbe {
  if (driver === 'bwrap') {
    return probeFor((instance, labId, controller) => `/sys/fs/cgroup/${controller}/socketlab/${instance}/${labId}`, (instance) => LabCgroup.existing(instance));
  }
  return probeFor(
    (_instance, labId, controller) => {
      const [id] = docker('ps', '-aq', '--no-trunc', '--filter', `label=org.socketlab.lab=${labId}`);
      return `/sys/fs/cgroup/${controller}/docker/${id ?? 'no-such-container'}`;
    },
    (instance) => docker('ps', '-a', '--filter', `label=org.socketlab.instance=${instance}`, '--format', '{{.Label "org.socketlab.lab"}}'),
  );
}
