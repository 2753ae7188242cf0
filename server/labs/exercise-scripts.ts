/**
 * The shell scripts that put an exercise's files into a lab and run its checker there, through
 * Sandbox.exec as the learner. Files travel on the command's standard input as records, so nothing
 * of the host is mounted for them.
 */

/** Files as "name\nbase64\n" records, which the scripts below turn back into files. */
export function records(files: { path: string; content: Buffer }[]): Buffer {
  return Buffer.from(files.map((f) => `${f.path}\n${f.content.toString('base64')}\n`).join(''));
}

/** Writes the records of stdin under $base; with mode=keep, a file already there is left as it is. */
const WRITE_RECORDS = `
while IFS= read -r name && IFS= read -r data; do
  target="$base/$name"
  if [ "$mode" = keep ] && [ -e "$target" ]; then printf 'kept %s\\n' "$name"; continue; fi
  mkdir -p -- "\${target%/*}" && printf '%s' "$data" | base64 -d > "$target" || exit 1
  printf 'created %s\\n' "$name"
done`;

/**
 * Arguments: id, lang. Copies the starter's records into ~/exercises/<id>/<lang>/, keeping files
 * already there, and prints `created <path>` for each file it copied.
 */
export const START_SCRIPT = `mode=keep; base="$HOME/exercises/$1/$2"; mkdir -p -- "$base" || exit 1\n${WRITE_RECORDS}`;

/** The exit code of CHECK_SCRIPT when the exercise was not started (its folder is missing). */
export const NOT_STARTED = 40;

/**
 * Arguments: id, lang, the checker's JSON config. Unpacks the checker's records (the library as
 * _lib/checker.ts, the checker as <id>/check.ts) into a private folder under /tmp, removed
 * afterwards, and runs the checker in ~/exercises/<id>/<lang>/; its last line is the report.
 */
export const CHECK_SCRIPT = `
work="$HOME/exercises/$1/$2"
[ -d "$work" ] || exit ${NOT_STARTED}
base=$(mktemp -d /tmp/socketlab-check.XXXXXX) || exit 1
trap 'rm -rf -- "$base"' EXIT
mode=write
${WRITE_RECORDS} > /dev/null
cd -- "$work" && node "$base/$1/check.ts" "$3"`;
