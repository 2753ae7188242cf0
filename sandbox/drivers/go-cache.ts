/**
 * A warm Go build cache for labs. A lab's first `go build` would otherwise compile the standard
 * library into its small home tmpfs: about 23 s and 40 MB for the echo server, more than the
 * 64 MiB home holds for net/http. Instead the server builds every Go example once into a shared
 * cache, and each lab mounts it read-only under a private writable overlay (lab-mounts.ts), so
 * builds start warm and one lab's cache entries never reach another lab.
 */
import { spawnSync } from 'node:child_process';
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

export function goCacheReady(cacheDir: string): boolean {
  return existsSync(join(cacheDir, 'README'));
}
