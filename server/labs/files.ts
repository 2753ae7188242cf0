/**
 * The learner's files, for the in-browser editor: list, read, write, reset to the course's
 * original, and download them all. Every operation is a small `sh` script run inside the lab by
 * Sandbox.exec as the learner, so paths and symlinks resolve in the sandbox's own filesystem (a
 * link to /etc/passwd is the sandbox's /etc/passwd, never the host's) under the lab's limits.
 * Paths are also checked here before anything runs, so a bad one gets a 400 that says what is
 * allowed, and inside, the resolved path must stay in the home folder (symlinks included).
 */
import { ExecError } from '../../sandbox/drivers/exec.ts';
import { SANDBOX_USER } from '../../sandbox/drivers/learner.ts';
import type { ExecOptions, ExecResult, Sandbox } from '../../sandbox/drivers/types.ts';
import type { EntryKind, FileEntry, Listing } from '../../wire/lab-api.ts';
import { ApiError } from '../../wire/api-error.ts';

export const FILE_LIMITS = {
  /** Largest file read or written (the editor's files are sources, not data). */
  fileBytes: 256 * 1024,
  /** Most entries a listing returns; past it, `truncated` is true. */
  listEntries: 2000,
  /** Largest archive, compressed; a home holds LAB_TMP_MB (64 MiB by default) at most. */
  archiveBytes: 32 * 1024 * 1024,
  pathChars: 255,
} as const;

const TIMEOUT_MS = 10_000;
const ARCHIVE_TIMEOUT_MS = 60_000;

/** The course's examples: copied to ~/examples when a lab starts, and kept read-only here (both drivers). */
const ORIGINALS = '/opt/socketlab/examples';
const EXAMPLES = 'examples';

/** A file operation refused or failed, with its HTTP answer. */
export class FileError extends ApiError {}

export const PATH_RULES =
  `a path relative to the home folder (${SANDBOX_USER.home}) of at most ${FILE_LIMITS.pathChars} characters: ` +
  'names of letters, digits, ".", "_" and "-" joined by "/", none of them "." or "..", and no "/" at the start or end';

const NAME = /^[A-Za-z0-9._-]+$/;

/** Returns `path` when it follows PATH_RULES; throws a 400 saying what is allowed otherwise. */
export function checkPath(path: string): string {
  const names = path.split('/');
  const allowed = path.length > 0 && path.length <= FILE_LIMITS.pathChars && names.every((n) => NAME.test(n) && n !== '.' && n !== '..');
  if (!allowed) throw new FileError(400, 'bad-path', `${JSON.stringify(path.slice(0, 300))} is not an allowed path: use ${PATH_RULES}.`);
  return path;
}

/**
 * Exit codes the scripts use for the failures the client can act on; anything else is unexpected
 * and reported with the script's stderr.
 */
const EXIT = { notFound: 40, outsideHome: 41, tooLarge: 42, notAFile: 43, notAFolder: 44 } as const;

/**
 * Shared head of every script. `resolve MODE PATH` prints the real path of ~/PATH (realpath -e: it
 * must exist; -m: it may not) and fails unless it stays in the home folder. The check is for a
 * clear answer, not the security boundary: a learner racing it from a terminal can only reach what
 * the learner can reach anyway, inside the sandbox.
 */
const PRELUDE = `
home=${SANDBOX_USER.home}
fail() { code=$1; shift; printf '%s\\n' "$*" >&2; exit "$code"; }
resolve() {
  real=$(realpath "$1" -- "$home/$2" 2>/dev/null) || fail ${EXIT.notFound} "no such file or folder"
  case "$real" in "$home"|"$home"/*) ;; *) fail ${EXIT.outsideHome} "$real" ;; esac
  printf '%s\\n' "$real"
}
# Writes stdin (or copies $2) to $1 through a temporary file beside it, then renames it over $1:
# a reader never sees half a file, and a full disk leaves the old one whole.
replace() {
  [ -d "$1" ] && fail ${EXIT.notAFile} "directory"
  mkdir -p -- "\${1%/*}" || exit 1
  tmp=$(mktemp -p "\${1%/*}" .socketlab-save.XXXXXX) || exit 1
  if [ -n "$2" ]; then cp -- "$2" "$tmp" && chmod --reference="$2" -- "$tmp"
  elif [ -f "$1" ]; then cat > "$tmp" && chmod --reference="$1" -- "$tmp"
  else cat > "$tmp" && chmod 644 -- "$tmp"
  fi && mv -f -- "$tmp" "$1" || { rm -f -- "$tmp"; exit 1; }
}
`;

async function run(sandbox: Sandbox, script: string, args: string[], options: Partial<ExecOptions> = {}): Promise<ExecResult> {
  try {
    return await sandbox.exec(['/bin/sh', '-c', PRELUDE + script, 'socketlab-files', ...args], {
      timeoutMs: TIMEOUT_MS,
      maxOutputBytes: FILE_LIMITS.fileBytes + 4096,
      ...options,
    });
  } catch (err) {
    if (err instanceof ExecError && err.failure === 'timeout') {
      throw new FileError(504, 'timeout', 'The lab did not answer in time (is it very busy?); try again.');
    }
    throw err;
  }
}

/** The FileError for a script's failure; `path` is the one the client asked about. */
function failure(result: ExecResult, path: string, what: 'file' | 'folder'): FileError {
  const detail = result.stderr.trim();
  switch (result.code) {
    case EXIT.notFound:
      return new FileError(404, 'not-found', `There is no ${what} ~/${path} in the lab.`);
    case EXIT.outsideHome:
      return new FileError(403, 'outside-home', `~/${path} leads to ${detail}, outside the home folder (through a symbolic link); only files in ${SANDBOX_USER.home} can be opened here.`);
    case EXIT.tooLarge:
      return new FileError(413, 'too-large', `~/${path} is ${detail} bytes; the editor opens files of up to ${FILE_LIMITS.fileBytes} bytes.`);
    case EXIT.notAFile:
      return new FileError(409, 'not-a-file', `~/${path} is not a regular file (${detail}), so the editor cannot open or save it.`);
    case EXIT.notAFolder:
      return new FileError(409, 'not-a-folder', `~/${path} is not a folder.`);
  }
  if (/No space left on device|Disk quota exceeded/.test(detail)) {
    return new FileError(507, 'no-space', `The lab's home folder is full (its size or its number of files): ${detail}`);
  }
  if (/Not a directory|File exists/.test(detail)) {
    return new FileError(409, 'not-a-folder', `A file stands where ~/${path} needs a folder: ${detail}`);
  }
  if (/Permission denied/.test(detail)) return new FileError(403, 'permission', `The learner may not do that to ~/${path}: ${detail}`);
  return new FileError(500, 'files', `The lab could not do that with ~/${path}: ${detail || `exit code ${result.code}`}`);
}

const KINDS: Record<string, EntryKind> = { f: 'file', d: 'folder', l: 'symlink' };

/** Everything under `dir`, at any depth, sorted by path. Symlinks are listed, not followed. */
export async function listFiles(sandbox: Sandbox, dir: string = EXAMPLES): Promise<Listing> {
  checkPath(dir);
  const script = `
real=$(resolve -e "$1") || exit
[ -d "$real" ] || fail ${EXIT.notAFolder}
cd -- "$real" && find . -mindepth 1 -printf '%y %s %P\\0' | head -z -n ${FILE_LIMITS.listEntries + 1}`;
  // Names can be up to 255 bytes each and a path up to 4096: the cap on entries bounds the output.
  const result = await run(sandbox, script, [dir], { maxOutputBytes: (FILE_LIMITS.listEntries + 1) * 4200 });
  if (result.code !== 0) throw failure(result, dir, 'folder');
  const records = Buffer.from(result.stdout).toString('utf8').split('\0').filter(Boolean);
  const entries = records.slice(0, FILE_LIMITS.listEntries).map((record): FileEntry => {
    const [type = '', size = '0'] = record.split(' ', 2);
    const kind = KINDS[type] ?? 'other';
    return { path: `${dir}/${record.slice(type.length + size.length + 2)}`, kind, size: kind === 'file' ? Number(size) : 0 };
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dir, entries, truncated: records.length > FILE_LIMITS.listEntries };
}

/** The bytes of the file at `path`, up to FILE_LIMITS.fileBytes. */
export async function readFile(sandbox: Sandbox, path: string): Promise<Uint8Array> {
  checkPath(path);
  const script = `
real=$(resolve -e "$1") || exit
[ -f "$real" ] || fail ${EXIT.notAFile} "$(stat -c %F -- "$real")"
size=$(stat -c %s -- "$real") || exit 1
[ "$size" -le ${FILE_LIMITS.fileBytes} ] || fail ${EXIT.tooLarge} "$size"
exec cat -- "$real"`;
  const result = await run(sandbox, script, [path]).catch((err: unknown) => {
    // The file grew past the limit between the size check and the reading.
    if (err instanceof ExecError && err.failure === 'output-too-large') throw new FileError(413, 'too-large', `~/${path} is larger than ${FILE_LIMITS.fileBytes} bytes.`);
    throw err;
  });
  if (result.code !== 0) throw failure(result, path, 'file');
  return result.stdout;
}

/** Replaces (or creates, with its folders) the file at `path` with `content`, atomically. */
export async function writeFile(sandbox: Sandbox, path: string, content: Uint8Array): Promise<void> {
  checkPath(path);
  if (content.byteLength > FILE_LIMITS.fileBytes) throw tooLargeToWrite(content.byteLength);
  const script = `
real=$(resolve -m "$1") || exit
[ "$real" = "$home" ] && fail ${EXIT.notAFile} "the home directory"
replace "$real"`;
  const result = await run(sandbox, script, [path], { stdin: content });
  if (result.code !== 0) throw failure(result, path, 'file');
}

export function tooLargeToWrite(bytes: number | null): FileError {
  return new FileError(413, 'too-large', `${bytes === null ? 'The file' : `A file of ${bytes} bytes`} is too large to save; the limit is ${FILE_LIMITS.fileBytes} bytes.`);
}

/**
 * Copies the course's original of `path` back over it. Only course examples have one: `path` must
 * be under `examples/` and name a file the course ships, else 404.
 */
export async function resetFile(sandbox: Sandbox, path: string): Promise<void> {
  checkPath(path);
  const inExamples = path.startsWith(`${EXAMPLES}/`) ? path.slice(EXAMPLES.length + 1) : null;
  const notAnExample = new FileError(404, 'not-an-example', `~/${path} is not one of the course's example files, so there is no original to reset it to.`);
  if (inExamples === null) throw notAnExample;
  const script = `
original=${ORIGINALS}/$1
[ -f "$original" ] || exit ${EXIT.notFound}
real=$(resolve -m "${EXAMPLES}/$1") || exit
replace "$real" "$original"`;
  const result = await run(sandbox, script, [inExamples]);
  if (result.code === EXIT.notFound) throw notAnExample;
  if (result.code !== 0) throw failure(result, path, 'file');
}

/**
 * "Download my files": the whole home folder as a .tar.gz, minus what the lab itself put there or
 * can make again (the Go build cache under .cache, the ~/node_modules link, Go's module cache in
 * ~/go, npm's cache) and any half-saved temporary file. Symlinks are stored as links. The learner's
 * own programs and builds are in it: what they made is theirs, wherever they made it.
 */
export async function archiveHome(sandbox: Sandbox): Promise<Uint8Array> {
  const script = `
cd "$home" || exit 1
tar -czf - --exclude=./.cache --exclude=./go --exclude=./.npm --exclude=node_modules --exclude='.socketlab-save.*' .
code=$?
# 1: a file changed while it was read (a program still writing); the archive is whole all the same.
[ $code -le 1 ] || exit $code`;
  const result = await run(sandbox, script, [], { timeoutMs: ARCHIVE_TIMEOUT_MS, maxOutputBytes: FILE_LIMITS.archiveBytes }).catch((err: unknown) => {
    if (err instanceof ExecError && err.failure === 'output-too-large') {
      throw new FileError(413, 'too-large', `Your files come to more than ${FILE_LIMITS.archiveBytes / 1024 / 1024} MiB compressed; remove large build outputs (rm) and try again.`);
    }
    throw err;
  });
  if (result.code !== 0) throw failure(result, '', 'folder');
  return result.stdout;
}
