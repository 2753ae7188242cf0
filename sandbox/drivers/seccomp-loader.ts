/**
 * Puts a bwrap lab's seccomp filter (seccomp.ts) and its loader (seccomp-exec.c, compiled here with
 * the host's gcc) in a folder of STATE_DIR, which the driver binds read-only into every lab. bwrap
 * reads the filter for the lab's init (--seccomp); shells and commands entered into the lab run
 * through the loader (`underSeccomp`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { subfolder, writeNewFile } from './host-folders.ts';
import { labSeccompFilter } from './seccomp.ts';

/** Where the folder appears inside a lab. */
export const LAB_SECCOMP_DIR = '/opt/socketlab/seccomp';

const SOURCE = join(import.meta.dirname, 'seccomp-exec.c');

/** Writes the filter and builds the loader in `stateDir`/seccomp; returns that folder's host path. */
export function installSeccomp(stateDir: string): string {
  const dir = subfolder(stateDir, 'seccomp');
  writeNewFile(join(dir, 'filter.bpf'), labSeccompFilter());
  const built = join(dir, `exec.${randomBytes(6).toString('hex')}`);
  const gcc = spawnSync('gcc', ['-O2', '-Wall', '-o', built, SOURCE], { encoding: 'utf8' });
  if (gcc.status !== 0) {
    rmSync(built, { force: true });
    const why = gcc.error ? gcc.error.message : gcc.stderr.trim();
    throw new Error(`the bwrap driver could not build its seccomp loader (${SOURCE}): ${why}. Install gcc and libc6-dev (apt-get install gcc libc6-dev), or run scripts/setup.sh.`);
  }
  // Executable but not readable by the learner: the kernel then keeps the process undumpable (see seccomp-exec.c).
  chmodSync(built, 0o711);
  renameSync(built, join(dir, 'exec'));
  return dir;
}

/** `argv`, run inside a lab under its seccomp filter, in the folder `dir`. */
export function underSeccomp(dir: string, argv: string[]): string[] {
  return [`${LAB_SECCOMP_DIR}/exec`, `${LAB_SECCOMP_DIR}/filter.bpf`, dir, ...argv];
}
