/**
 * The writable folders of a bwrap lab: home, /tmp, /dev/shm and the upper layer of its Go cache
 * overlay. Each is a tmpfs that root mounts on the host, in the lab's own host folder, with a size
 * and an inode limit; bwrap binds them into the sandbox from open descriptors. bwrap's own --tmpfs
 * can limit the size only, and a tmpfs without nr_inodes takes up to half the host's RAM pages in
 * inodes: millions of empty files, whose kernel memory the lab's memory limit may not see.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Mounts the lab's folders under `labDir`. `goCacheDir` is the shared warm cache (go-cache.ts), or
 * null when there is none. Lab start time matters, and starting a program costs more than the
 * mount it makes: so the folders are made from here, every tmpfs comes from one `mount --all` of a
 * small fstab of the lab's own, and the rest runs in one shell. `unmountLabFolders` removes them.
 */
export async function mountLabFolders(labDir: string, limits: LabFolderLimits, goCacheDir: string | null): Promise<LabFolders> {
  const { hostUid, sizeBytes, inodes } = limits;
  const folders = { home: join(labDir, 'home'), tmp: join(labDir, 'tmp'), shm: join(labDir, 'shm') };
  const goUpperFs = join(labDir, 'go', 'rw');
  const goCache = join(labDir, 'go', 'merged');
  const limited = `size=${sizeBytes},nr_inodes=${inodes},nosuid,nodev`;
  const learners = `uid=${hostUid},gid=${hostUid}`;
  const tmpfs: { name: string; path: string; options: string }[] = [
    { name: 'socketlab-home', path: folders.home, options: `${limited},mode=0755,${learners}` },
    { name: 'socketlab-tmp', path: folders.tmp, options: `${limited},mode=1777,${learners}` },
    { name: 'socketlab-shm', path: folders.shm, options: `${limited},mode=1777,${learners}` },
  ];
  // The Go cache overlay's upper layer: the cache entries the learner's own builds add.
  if (goCacheDir) tmpfs.push({ name: 'socketlab-go', path: goUpperFs, options: `${limited},mode=0755` });
  for (const { path } of tmpfs) mkdirSync(path, { recursive: true });
  const fstab = join(labDir, 'fstab');
  writeFileSync(fstab, tmpfs.map(({ name, path, options }) => `${name} ${mountTableEscape(path)} tmpfs ${options} 0 0\n`).join(''));
  const script = [`mount --all --fstab ${shellQuote(fstab)}`];
  if (goCacheDir) {
    mkdirSync(goCache);
    const rw = shellQuote(goUpperFs);
    script.push(
      `mkdir ${rw}/upper ${rw}/work`,
      // The overlay's root takes the upper layer's owner: the learner owns ~/.cache/go-build.
      `chown ${hostUid}:${hostUid} ${rw}/upper`,
      `mount -t overlay socketlab-go -o lowerdir=${shellQuote(goCacheDir)},upperdir=${rw}/upper,workdir=${rw}/work ${shellQuote(goCache)}`,
    );
  }
  await sh(script.join(' && '));
  return { ...folders, goCache: goCacheDir ? goCache : null };
}

/**
 * Read-only views of host folders (the examples, node_modules) at `views[name]` under `dir`, a
 * folder every lab uid can reach. bwrap resolves a bind source's path as the lab's uid, even when
 * it is given as a descriptor (/proc/self/fd/N stands for the real path), so a project in a folder
 * others cannot enter (a clone in /root, mode 0700) would fail every lab with "Permission denied".
 * Synchronous: the driver makes them once, at start. A view left mounted by a killed server is
 * mounted again.
 */
export function mountSharedViews(dir: string, sources: Record<string, string>): Record<string, string> {
  const views: Record<string, string> = {};
  const script: string[] = [];
  for (const [name, source] of Object.entries(sources)) {
    const view = join(dir, name);
    mkdirSync(view, { recursive: true });
    views[name] = view;
    const q = shellQuote(view);
    script.push(`{ ! mountpoint -q ${q} || umount -l ${q}; }`, `mount --bind ${shellQuote(source)} ${q}`, `mount -o remount,bind,ro ${q}`);
  }
  execFileSync('/bin/sh', ['-c', script.join(' && ')], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } });
  return views;
}

/** Unmounts the views of mountSharedViews and removes their (then empty) folders; never deletes through them. */
export async function unmountSharedViews(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const views = mountPointsUnder(dir);
  await sh([...views.map((view) => `umount -l ${shellQuote(view)}`), `rmdir ${shellQuote(dir)}/* ${shellQuote(dir)}`].join(' && '));
}

/**
 * Unmounts everything under `labDir` and removes it. What is mounted is read from the mount table
 * rather than assumed, so the leftovers of a half-made lab, or of a server killed while running an
 * older version, go too. Lazily (`umount -l`), so a process of the lab still dying cannot keep a mount.
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

/** Mount tables (fstab, /proc/self/mounts) write space, tab, newline and backslash as octal (\040). */
function mountTableEscape(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function mountTableUnescape(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function shellQuote(word: string): string {
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
