/**
 * The shell scripts that put an exercise's starter files into a lab and run its checker there,
 * through Sandbox.exec. Starter files travel on the command's standard input as records, so nothing
 * of the host is mounted for them; the checker's files are in CHECKER_DIR (Sandbox.installCheckerFiles).
 */
import { CHECKER_DIR } from '../../sandbox/drivers/checker-user.ts';

/** Files as "name\nbase64\n" records, which the scripts below turn back into files. */
export function records(files: { path: string; content: Buffer }[]): Buffer {
  return Buffer.from(files.map((f) => `${f.path}\n${f.content.toString('base64')}\n`).join(''));
}

/**
 * Arguments: id, lang. Copies the starter's records into ~/exercises/<id>/<lang>/, keeping files
 * already there, and prints `created <path>` for each file it copied.
 */
export const START_SCRIPT = `base="$HOME/exercises/$1/$2"; mkdir -p -- "$base" || exit 1
while IFS= read -r name && IFS= read -r data; do
  target="$base/$name"
  if [ -e "$target" ]; then printf 'kept %s\\n' "$name"; continue; fi
  mkdir -p -- "\${target%/*}" && printf '%s' "$data" | base64 -d > "$target" || exit 1
  printf 'created %s\\n' "$name"
done`;

/** The exit code of CHECK_SCRIPT and RUNNER_SCRIPT when the exercise was not started (its folder is missing). */
export const NOT_STARTED = 40;

/** Enters ~/exercises/<id>/<lang>/ (arguments 1 and 2), or exits NOT_STARTED. */
const ENTER = `cd -- "$HOME/exercises/$1/$2" 2>/dev/null || exit ${NOT_STARTED}`;

/**
 * Arguments: id, lang, the checker's JSON config. Run as the lab's checker user: runs the
 * checker from CHECKER_DIR (root's, read-only) in the exercise's folder; its last line is the report.
 */
export const CHECK_SCRIPT = `${ENTER}\nexec node "${CHECKER_DIR}/$1/check.ts" "$3"`;

/**
 * Arguments: id, lang, the abstract socket name of the checker. Run as the learner: the runner
 * (content/exercises/_lib/runner.ts), which starts the learner's program for the checker.
 */
export const RUNNER_SCRIPT = `${ENTER}\nexec node "${CHECKER_DIR}/_lib/runner.ts" "$3"`;
