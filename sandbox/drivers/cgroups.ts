/**
 * Memory, process and CPU limits for a lab through Linux control groups. bubblewrap has no limits
 * of its own, so the bwrap driver puts every process of a lab in one group here.
 *
 * Both cgroup versions are supported: v2 (one unified tree, most production hosts) and v1 (one
 * tree per controller, as on this project's CI machines). A lab's group is
 * `socketlab/<instance>/<labId>`: each server instance (SANDBOX_INSTANCE) owns one subtree, so two
 * servers on one machine never count or remove each other's labs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabLimits } from '../../wire/lab-api.ts';

const ROOT = '/sys/fs/cgroup';
const CPU_PERIOD_US = 100_000;

export type CgroupVersion = 1 | 2;

/** v1 trees a lab joins: limits in the first three; CPU time accounting in cpuacct where it is mounted apart from cpu. */
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', ...(existsSync(join(ROOT, 'cpuacct/cpuacct.usage')) && !existsSync(join(ROOT, 'cpu/cpuacct.usage')) ? ['cpuacct'] : [])];

export function detectCgroupVersion(): CgroupVersion {
  return existsSync(join(ROOT, 'cgroup.controllers')) ? 2 : 1;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function counter(text: string, key: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * Which limit has bitten, from the text of a group's memory counters (v2 memory.events or v1
 * memory.oom_control: `oom_kill N`) and pids counters (pids.events: `max N`).
 */
export function limitFromCounters(memoryText: string, pidsText: string): 'oom' | 'limit' | null {
  if (counter(memoryText, 'oom_kill') > 0) return 'oom';
  if (counter(pidsText, 'max') > 0) return 'limit';
  return null;
}

function write(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch (err) {
    throw new Error(`cannot write ${value} to ${file}: ${(err as Error).message}. The bwrap driver needs root (or a delegated cgroup) to set lab limits.`);
  }
}

/** One lab's control group(s). */
export class LabCgroup {
  readonly version: CgroupVersion;
  readonly labId: string;
  /** The directories that make up the group: one on v2, one per controller on v1. */
  readonly dirs: string[];

  private readonly parent: string;

  constructor(instance: string, labId: string, version: CgroupVersion = detectCgroupVersion()) {
    this.labId = labId;
    this.version = version;
    this.parent = join('socketlab', instance);
    this.dirs = version === 2 ? [join(ROOT, this.parent, labId)] : V1_CONTROLLERS.map((c) => join(ROOT, c, this.parent, labId));
  }

  /** Creates the group with the lab's limits. */
  create(limits: Pick<LabLimits, 'memoryBytes' | 'pids' | 'cpus'>): void {
    const quota = String(Math.round(limits.cpus * CPU_PERIOD_US));
    if (this.version === 2) {
      // Each level down to the lab's group must hand the controllers on.
      let level = ROOT;
      for (const part of this.parent.split('/')) {
        write(join(level, 'cgroup.subtree_control'), '+memory +pids +cpu');
        level = join(level, part);
        mkdirSync(level, { recursive: true });
      }
      write(join(level, 'cgroup.subtree_control'), '+memory +pids +cpu');
      const dir = this.dirs[0]!;
      mkdirSync(dir, { recursive: true });
      write(join(dir, 'memory.max'), String(limits.memoryBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) write(join(dir, 'memory.swap.max'), '0');
      write(join(dir, 'pids.max'), String(limits.pids));
      write(join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
      return;
    }
    const [memory, pids, cpu] = this.dirs as [string, string, string, ...string[]];
    for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
    write(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // Without swap accounting this file is absent; the limit above then covers RAM only.
    if (existsSync(join(memory, 'memory.memsw.limit_in_bytes'))) write(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    write(join(pids, 'pids.max'), String(limits.pids));
    write(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    write(join(cpu, 'cpu.cfs_quota_us'), quota);
  }

  /** The files a process writes its pid into to join the group (all of them, on v1). */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  /** Which limit has bitten since the group was made: the OOM killer, or the process limit. */
  limitHit(): 'oom' | 'limit' | null {
    const dir = this.dirs[0]!;
    if (this.version === 2) return limitFromCounters(readText(join(dir, 'memory.events')), readText(join(dir, 'pids.events')));
    return limitFromCounters(readText(join(dir, 'memory.oom_control')), readText(join(this.dirs[1]!, 'pids.events')));
  }

  memoryBytes(): number {
    const file = this.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
    try {
      return Number(readFileSync(join(this.dirs[0]!, file), 'utf8'));
    } catch {
      return 0;
    }
  }

  /** Kills every process in the group and removes it. Processes that fork while we kill are caught by the loop. */
  async destroy(): Promise<void> {
    // Killed processes leave the group only once reaped, which can take a moment under load.
    for (let attempt = 0; attempt < 300; attempt++) {
      let alive = 0;
      if (this.version === 2 && existsSync(join(this.dirs[0]!, 'cgroup.kill'))) {
        try {
          writeFileSync(join(this.dirs[0]!, 'cgroup.kill'), '1');
        } catch {
          /* already gone */
        }
      }
      for (const file of this.procsFiles) {
        let pids: string[] = [];
        try {
          pids = readFileSync(file, 'utf8').split('\n').filter(Boolean);
        } catch {
          continue;
        }
        for (const pid of pids) {
          alive++;
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            /* exited meanwhile */
          }
        }
      }
      let removed = true;
      for (const dir of this.dirs) {
        try {
          if (existsSync(dir)) rmdirSync(dir);
        } catch {
          removed = false; // still has processes that are dying
        }
      }
      if (removed && alive === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`could not remove the control group of lab ${this.labId}: processes keep running in ${this.dirs.join(', ')}`);
  }

  /** Lab ids of every group of a server instance (used to remove orphans after a crash). */
  /**
   * Removes a server instance's own group (`socketlab/<instance>`) once its labs' groups are gone,
   * in every tree; left in place while a lab's group is still there. Without this, every server
   * instance that ever ran (each test server is one) left an empty group behind.
   */
  static removeInstance(instance: string, version: CgroupVersion = detectCgroupVersion()): void {
    const trees = version === 2 ? [ROOT] : V1_CONTROLLERS.map((controller) => join(ROOT, controller));
    for (const tree of trees) {
      try {
        rmdirSync(join(tree, 'socketlab', instance));
      } catch {
        // not there, or a lab's group is still in it
      }
    }
  }

  static existing(instance: string, version: CgroupVersion = detectCgroupVersion()): string[] {
    const parent = version === 2 ? join(ROOT, 'socketlab', instance) : join(ROOT, 'pids', 'socketlab', instance);
    try {
      return readdirSync(parent, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return [];
    }
  }
}
