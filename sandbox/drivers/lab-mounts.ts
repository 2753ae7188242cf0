/**
 * The writable folders of a bwrap lab: home, /tmp, /dev/shm and the upper layer of its Go cache
 * overlay. Each is a tmpfs that root mounts on the host, in the lab's own host folder, with a size
 * and an inode limit; bwrap binds them into the sandbox from open descriptors. bwrap's own --tmpfs
 * can limit the size only, and a tmpfs without nr_inodes takes up to half the host's RAM pages in
 * inodes: millions of empty files, whose kernel memory the lab's memory limit may not see.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subfolder } from './host-folders.ts';

export interface LabFolderLimits {
  /** The lab's own host uid: it owns the folders (it is `learner` inside the sandbox). */
  hostUid: number;
  sizeBytes: number;
  inodes: number;
}

/** Host paths of a lab's mounted folders, to open and bind into the sandbox. */
export interface LabFolders {
  home: string;
  tmp: string;
  shm: string;
  /** The lab's overlay of the shared warm Go cache, or null without one. */
  goCache: string | null;
}

/** The shared warm Go cache (go-cache.ts) a lab's overlay reads, and its folders (goCacheFolders). */
export interface GoCache {
  dir: string;
  folders: string[];
}

/**
 * Makes the lab's folders in `labDir`, a new folder (in a trusted folder of STATE_DIR, see
 * host-folders.ts), and returns the shell commands that mount them. The commands run in the lab's
 * own mount namespace, just before bwrap (bwrap.ts): mounted on the host, every lab added five
 * entries to the host's mount table, which every new mount namespace copies under a global lock,
 * so each lab start slowed the next (63 ms beside no labs, 188 ms beside 300 labs' mounts,
 * bench/mount-table.ts), and a killed server left them all behind. In the lab's namespace they
 * live exactly as long as the lab. `goCache` is the shared warm cache, or null when there is none.
 * The options are on the command line: a table of mounts written to a file could be swapped for
 * another between write and use.
 */
export function prepareLabFolders(labDir: string, limits: LabFolderLimits, goCache: GoCache | null): { folders: LabFolders; mountScript: string } {
  const { hostUid, sizeBytes, inodes } = limits;
  mkdirSync(labDir, { mode: 0o755 }); // a new folder: fails if anything is there
  const folders = { home: join(labDir, 'home'), tmp: join(labDir, 'tmp'), shm: join(labDir, 'shm') };
  const goUpperFs = join(labDir, 'go', 'rw');
  const goMerged = join(labDir, 'go', 'merged');
  const limited = `size=${sizeBytes},nr_inodes=${inodes},nosuid,nodev`;
  const learners = `uid=${hostUid},gid=${hostUid}`;
  const tmpfs: { name: string; path: string; options: string }[] = [
    { name: 'socketlab-home', path: folders.home, options: `${limited},mode=0755,${learners}` },
    { name: 'socketlab-tmp', path: folders.tmp, options: `${limited},mode=1777,${learners}` },
    { name: 'socketlab-shm', path: folders.shm, options: `${limited},mode=1777,${learners}` },
  ];
  // The Go cache overlay's upper layer: the cache entries the learner's own builds add.
  if (goCache) {
    mkdirSync(join(labDir, 'go'));
    mkdirSync(goMerged);
    tmpfs.push({ name: 'socketlab-go', path: goUpperFs, options: `${limited},mode=0755` });
  }
  for (const { path } of tmpfs) mkdirSync(path);
  const script = tmpfs.map(({ name, path, options }) => `mount -t tmpfs -o ${options} ${name} ${shellQuote(path)}`);
  if (goCache) {
    const upper = join(goUpperFs, 'upper');
    const work = join(goUpperFs, 'work');
    script.push(
      // The learner owns the overlay's root and every folder of the cache (a merged folder takes its
      // upper folder's owner), so Go can add entries to the read-only cache's root-owned folders.
      // (The overlay's work folder too, which does no harm: it is not in the lab.)
      `install -d -o ${hostUid} -g ${hostUid} -m 0755 ${[work, upper, ...goCache.folders.map((f) => join(upper, f))].map(shellQuote).join(' ')}`,
      `mount -t overlay socketlab-go -o lowerdir=${shellQuote(goCache.dir)},upperdir=${shellQuote(upper)},workdir=${shellQuote(work)} ${shellQuote(goMerged)}`,
    );
  }
  return { folders: { ...folders, goCache: goCache ? goMerged : null }, mountScript: script.join(' && ') };
}

/**
 * Read-only views of host folders (the examples, node_modules) at `views[name]` in `dir`, a
 * trusted folder every lab uid can reach. bwrap resolves a bind source's path as the lab's uid, even when
 * it is given as a descriptor (/proc/self/fd/N stands for the real path), so a project in a folder
 * others cannot enter (a clone in /root, mode 0700) would fail every lab with "Permission denied".
 * Synchronous: the driver makes them once, at start. A view left mounted by a killed server is
 * mounted again.
 */
export function mountSharedViews(dir: string, sources: Record<string, string>): Record<string, string> {
  const run = (script: string) => execFileSync('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } });
  // Views a killed server left mounted go first: until then their folders show what is mounted there.
  const leftovers = mountPointsUnder(dir);
  if (leftovers.length > 0) run(`umount -l ${leftovers.map(shellQuote).join(' ')}`);
  const views: Record<string, string> = {};
  const script: string[] = [];
  for (const [name, source] of Object.entries(sources)) {
    const view = subfolder(dir, name);
    views[name] = view;
    script.push(`mount --bind ${shellQuote(source)} ${shellQuote(view)}`, `mount -o remount,bind,ro ${shellQuote(view)}`);
  }
  run(script.join(' && '));
  return views;
}

/** Unmounts the views of mountSharedViews and removes their (then empty) folders; never deletes through them. */
export async function unmountSharedViews(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const views = mountPointsUnder(dir);
  await sh([...views.map((view) => `umount -l ${shellQuote(view)}`), `rmdir ${shellQuote(dir)}/* ${shellQuote(dir)}`].join(' && '));
}

/**
 * Removes `labDir`. Its folders are mounted in the lab's namespace only, but a server of an older
 * version mounted them on the host: what is mounted there is read from the mount table and
 * unmounted first, lazily (`umount -l`), so a process of the lab still dying cannot keep a mount.
 */
export async function unmountLabFolders(labDir: string): Promise<void> {
  if (!existsSync(labDir)) return;
  const mounted = mountPointsUnder(labDir);
  const umount = mounted.length > 0 ? `umount -l ${mounted.map(shellQuote).join(' ')}; ` : '';
  // --one-file-system: should an unmount have failed, never delete a lab's files through its mount.
  await sh(`${umount}rm -rf --one-file-system ${shellQuote(labDir)}`);
}

/** Mount points below `dir`, the latest mounted first (an overlay before the tmpfs under it). */
function mountPointsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => mountTableUnescape(line.split(' ')[1] ?? ''))
    .filter((path) => path.startsWith(`${dir}/`))
    .reverse();
}

/** The mount table (/proc/self/mounts) writes space, tab, newline and backslash as octal (\040). */
function mountTableUnescape(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

function sh(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script}: ${stderr.trim()}`))));
  });
}
