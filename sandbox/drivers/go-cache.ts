/**
 * A warm Go build cache for labs. A lab's first `go build` would otherwise compile the standard
 * library into its small home tmpfs: about 23 s and 40 MB for the echo server, more than the
 * 64 MiB home holds for net/http. Instead the server builds every Go example once into a shared
 * cache, and each lab mounts it read-only under a private writable overlay, so builds start warm
 * and one lab's cache entries never reach another lab.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the learner's Go looks for its cache inside the sandbox (GOCACHE). */
export const LAB_GO_CACHE = '/home/learner/.cache/go-build';

/**
 * Builds every Go example in `examplesDir` with GOCACHE=`cacheDir` and makes the cache readable
 * (and its folders world-writable, so the learner may add entries through the overlay). Returns
 * false when no Go toolchain is installed.
 */
export function warmGoCache(examplesDir: string, cacheDir: string, env: Record<string, string>): boolean {
  if (goCacheReady(cacheDir)) return true;
  if (spawnSync('go', ['version'], { env, stdio: 'ignore' }).status !== 0) return false;
  // Built beside the final place and renamed into it, so servers starting together never see half a cache.
  mkdirSync(join(cacheDir, '..'), { recursive: true });
  const fresh = mkdtempSync(`${cacheDir}.warming-`);
  const work = mkdtempSync(join(tmpdir(), 'sl-gocache-'));
  try {
    cpSync(examplesDir, work, { recursive: true });
    for (const file of goFiles(work)) {
      const result = spawnSync('go', ['build', '-o', '/dev/null', file], { cwd: join(file, '..'), env: { ...env, HOME: work, GOCACHE: fresh }, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`warming the Go cache: go build ${file} failed:\n${result.stderr}`);
    }
    openUp(fresh);
    try {
      renameSync(fresh, cacheDir);
    } catch {
      // Another server finished first; its cache is as good as ours.
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  }
  return goCacheReady(cacheDir);
}

function goFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.go'))
    .map((f) => join(dir, f));
}

/** Folders 0777 (new entries go to the lab's own upper layer), files 0644. */
function openUp(dir: string): void {
  chmodSync(dir, 0o777);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o644);
  }
}

/**
 * Makes a lab's view of the cache on the host: a size-limited tmpfs holding the lab's own upper
 * layer (owned by the lab's uid), and an overlay of the shared cache under it. bwrap then binds
 * the merged folder into the sandbox. Mounted on the host by root, where the sandbox's user
 * namespace cannot get in the way; removed by `unmountLabGoCache`.
 */
export async function mountLabGoCache(cacheDir: string, labDir: string, hostUid: number, sizeBytes: number): Promise<string> {
  const rw = join(labDir, 'rw');
  const merged = join(labDir, 'merged');
  await sh(
    `mkdir -p ${rw} ${merged} && mount -t tmpfs -o size=${sizeBytes},mode=0755 socketlab-go ${rw}` +
      ` && mkdir ${rw}/upper ${rw}/work && chown ${hostUid}:${hostUid} ${rw}/upper` +
      ` && mount -t overlay socketlab-go -o lowerdir=${cacheDir},upperdir=${rw}/upper,workdir=${rw}/work ${merged}`,
  );
  return merged;
}

export async function unmountLabGoCache(labDir: string): Promise<void> {
  if (!existsSync(labDir)) return;
  await sh(`umount -l ${labDir}/merged 2>/dev/null; umount -l ${labDir}/rw 2>/dev/null; rm -rf ${labDir}`);
}

/** One shell for the whole sequence: a spawn each would cost more than the mounts themselves. */
function sh(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script}: ${stderr.trim()}`))));
  });
}

export function goCacheReady(cacheDir: string): boolean {
  return existsSync(join(cacheDir, 'README'));
}
