/**
 * The host folders the bwrap driver, run as root, writes and mounts in: STATE_DIR, the lab uid
 * locks, the Go cache's parent. Whoever can write in one of them, or in a folder above it, can swap
 * what is there for a symlink between the driver's check and its use, and have root write or mount
 * wherever they like (over /etc, say). So each must belong to the server's user and be writable by
 * no one else, and every folder above it must belong to root or that user and be writable by no one
 * else either, unless sticky (as /tmp is: others cannot rename or remove what is not theirs there).
 * Inside them, folders are checked not to be symlinks and files are written without following one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The server's user: root, for the bwrap driver. */
export const myUid = () => process.getuid?.() ?? 0;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Makes `dir` (and the folders above it, 0755) unless it is there, then checks that it and every
 * folder above it can be trusted as described above; returns its real path. `what` names it in
 * errors ("STATE_DIR", "GO_CACHE_DIR's folder"), and `setting` is the setting that chooses it, if any.
 */
export function trustedFolder(dir: string, what: string, setting?: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const real = realpathSync(dir);
  const named = `${what} ${real === dir ? dir : `${dir} (${real})`}`;
  const risk = 'who can write there can have this server, which runs as root, write or mount over any file of the host';
  const elsewhere = setting ? `set ${setting} to a folder only root can write, such as the default` : '';
  const own = statSync(real);
  if (own.uid !== myUid()) {
    throw new Error(`${named} belongs to uid ${own.uid}, not to the server's user (uid ${myUid()}); ${risk}. Remove it (the server makes it again)${elsewhere && ` or ${elsewhere}`}.`);
  }
  if ((own.mode & 0o022) !== 0) {
    throw new Error(`${named} can be written by others (mode ${octal(own.mode)}); ${risk}. Run \`chmod go-w ${real}\`${elsewhere && `, or ${elsewhere}`}.`);
  }
  for (let above = dirname(real); ; above = dirname(above)) {
    const { uid, mode } = statSync(above);
    const foreign = uid !== 0 && uid !== myUid();
    if (foreign || ((mode & 0o022) !== 0 && (mode & 0o1000) === 0)) {
      const why = foreign ? `belongs to uid ${uid}` : `can be written by others and is not sticky (mode ${octal(mode)})`;
      const fix = setting ? `Set ${setting} to a folder only root can write, such as the default` : `Make ${above} writable by root only`;
      throw new Error(`${named} is inside ${above}, which ${why}: whoever can write there can swap it for a folder of their own; ${risk}. ${fix}.`);
    }
    if (above === dirname(above)) return real;
  }
}

/** Makes the folder `name` in the trusted folder `parent` unless it is there, and refuses a symlink or someone else's folder there. */
export function subfolder(parent: string, name: string): string {
  const dir = join(parent, name);
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const found = lstatSync(dir);
  if (!found.isDirectory() || found.uid !== myUid()) {
    throw new Error(`${dir} is ${found.isSymbolicLink() ? 'a symlink' : found.isDirectory() ? `a folder of uid ${found.uid}` : 'not a folder'}: something other than this server made it. Remove it and start again.`);
  }
  return dir;
}

/**
 * Writes `path` as a new file (O_EXCL, O_NOFOLLOW) beside it and renames it into place: a symlink
 * planted at `path` is replaced, never written through, and a reader never sees half a file.
 */
export function writeNewFile(path: string, content: string | Uint8Array, mode = 0o644): void {
  const fresh = `${path}.${randomBytes(6).toString('hex')}`;
  const fd = openSync(fresh, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    fchmodSync(fd, mode); // whatever the umask
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } catch (err) {
    closeSync(fd);
    unlinkSync(fresh);
    throw err;
  }
  closeSync(fd);
  renameSync(fresh, path);
}
