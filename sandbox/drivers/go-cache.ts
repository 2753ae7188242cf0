/**
 * A warm Go build cache for labs. A lab's first `go build` would otherwise compile the standard
 * library into its small home tmpfs: about 23 s and 40 MB for the echo server, more than the
 * 64 MiB home holds for net/http. Instead the server builds every Go example once into a shared
 * cache, and each lab mounts it read-only under a private writable overlay (lab-mounts.ts), so
 * builds start warm and one lab's cache entries never reach another lab.
 *
 * Only the server's user may write the cache (folders 0755, files 0644): an entry someone else
 * added would be compiled code every lab links into its programs.
 *
 * The HTTP examples are built with -race too: exercises where concurrency is the point (http-kv)
 * build with the race detector, whose standard library is another ~40 MB and ~40 s to compile.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { myUid, trustedFolder } from './host-folders.ts';

/** Where the learner's Go looks for its cache inside the sandbox (GOCACHE). */
export const LAB_GO_CACHE = '/home/learner/.cache/go-build';

/** Example topics whose Go programs are also built with -race (the Dockerfile does the same). */
const RACE_TOPICS = ['http-uds'];
const GO_CACHE_RECIPE = `every Go example; with -race too: ${RACE_TOPICS.join(', ')}\n`;

/**
 * What a warm cache was warmed with, kept in its WARMED file: the recipe and a hash of every Go
 * example. A cache from an older recipe, or from other examples (a lesson added a Go program,
 * which would otherwise build cold in every lab), is warmed again and swapped in.
 */
export function goCacheRecipe(examplesDir: string): string {
  const hash = createHash('sha256');
  for (const file of goFiles(examplesDir).sort()) hash.update(`${file.slice(examplesDir.length)}\0`).update(readFileSync(file)).update('\0');
  return `${GO_CACHE_RECIPE}examples ${hash.digest('hex')}\n`;
}

/**
 * Builds every Go example in `examplesDir` with GOCACHE=`cacheDir` and makes the cache readable by
 * the labs. Returns false when no Go toolchain is installed.
 */
export function warmGoCache(examplesDir: string, cacheDir: string, env: Record<string, string>): boolean {
  // The cache is built beside its place and renamed into it (so servers starting together never see
  // half a cache): the folder it is in must be the server's too.
  trustedFolder(dirname(cacheDir), 'GO_CACHE_DIR\'s folder', 'GO_CACHE_DIR');
  if (existsSync(cacheDir)) closeUp(cacheDir);
  trustedFolder(cacheDir, 'GO_CACHE_DIR', 'GO_CACHE_DIR');
  const recipe = goCacheRecipe(examplesDir);
  if (goCacheReady(cacheDir, recipe)) return true;
  if (spawnSync('go', ['version'], { env, stdio: 'ignore' }).status !== 0) return false;
  const fresh = mkdtempSync(`${cacheDir}.warming-`);
  const work = mkdtempSync(join(tmpdir(), 'sl-gocache-'));
  try {
    // Start from the cache there is (closed up and cleared of others' entries above): Go's cache
    // is keyed by content, so only new or changed programs compile, in seconds rather than the
    // minutes the standard library takes (with -race too).
    if (existsSync(cacheDir)) {
      cpSync(cacheDir, fresh, { recursive: true });
      rmSync(join(fresh, 'WARMED'), { force: true });
    }
    cpSync(examplesDir, work, { recursive: true });
    for (const file of goFiles(work)) {
      const race = RACE_TOPICS.some((topic) => file.startsWith(join(work, topic, '/')));
      for (const flags of race ? [[], ['-race']] : [[]]) {
        const result = spawnSync('go', ['build', ...flags, '-o', '/dev/null', file], { cwd: join(file, '..'), env: { ...env, HOME: work, GOCACHE: fresh }, encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`warming the Go cache: go build ${flags.join(' ')} ${file} failed:\n${result.stderr}`);
      }
    }
    writeFileSync(join(fresh, 'WARMED'), recipe);
    makeReadable(fresh);
    swapIn(fresh, cacheDir, recipe);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  }
  return goCacheReady(cacheDir, recipe);
}

/** Puts the warmed `fresh` cache in `cacheDir`'s place; an older cache there is moved aside and removed. */
function swapIn(fresh: string, cacheDir: string, recipe: string): void {
  const old = existsSync(cacheDir) && !goCacheReady(cacheDir, recipe) ? `${fresh}.old` : null;
  try {
    if (old) renameSync(cacheDir, old);
    renameSync(fresh, cacheDir);
  } catch {
    // Another server finished first; its cache is as good as ours.
  } finally {
    // Labs of a running server keep the old cache mounted by reference: removing its path is safe.
    if (old && existsSync(old)) spawnSync('rm', ['-rf', '--one-file-system', '--', old]);
  }
}

function goFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.go'))
    .map((f) => join(dir, f));
}

/** Folders 0755, files 0644: the labs read the cache; their own entries go to their overlay's upper layer. */
function makeReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  }
}

/**
 * Servers before this one left the cache's folders 0777 (in a folder only root can write): closes
 * them, folder by folder from the top, so nobody else can rename anything in one once it has been
 * checked; then moves what someone else added meanwhile out of the cache and removes it with GNU rm,
 * which does not follow a symlink swapped in while it works.
 */
function closeUp(cacheDir: string): void {
  const { uid, mode } = statSync(cacheDir);
  if (uid !== myUid() || (mode & 0o022) === 0) return; // closed already, or not ours (trustedFolder refuses it)
  const foreign: string[] = [];
  const close = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const entry = lstatSync(path);
      if (entry.uid !== myUid()) foreign.push(path);
      else if (entry.isDirectory()) close(path);
    }
  };
  close(cacheDir);
  if (foreign.length === 0) return;
  const removed = mkdtempSync(`${cacheDir}.removed-`);
  foreign.forEach((path, i) => renameSync(path, join(removed, String(i))));
  spawnSync('rm', ['-rf', '--one-file-system', '--', removed]);
}

/** The cache's folders, which a lab's overlay needs in its upper layer, owned by the learner, to add entries to them. */
export function goCacheFolders(cacheDir: string): string[] {
  return readdirSync(cacheDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

function goCacheReady(cacheDir: string, recipe: string): boolean {
  try {
    return readFileSync(join(cacheDir, 'WARMED'), 'utf8') === recipe;
  } catch {
    return false;
  }
}
