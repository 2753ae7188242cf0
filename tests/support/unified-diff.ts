/**
 * Applies a unified diff (`diff -u`) of one file to that file's text, strictly: every context and
 * removed line must match where its hunk says, so a patch made against an older version of the
 * file fails, naming the hunk, instead of applying somewhere it no longer means the same.
 */
export function applyUnifiedDiff(original: string, patch: string, what: string): string {
  const lines = original.split('\n');
  const out: string[] = [];
  let at = 0; // next line of `lines` not yet copied
  const hunks = patch.split('\n').reduce<string[][]>((all, line) => {
    if (line.startsWith('@@')) all.push([line]);
    else if (all.length > 0 && line !== '') all.at(-1)!.push(line);
    return all;
  }, []);
  if (hunks.length === 0) throw new Error(`${what}: no hunk (@@ ... @@) in the patch`);
  for (const [header, ...body] of hunks) {
    const start = Number(/^@@ -(\d+)/.exec(header!)?.[1]);
    if (!Number.isInteger(start)) throw new Error(`${what}: bad hunk header ${JSON.stringify(header)}`);
    const from = Math.max(start - 1, 0);
    out.push(...lines.slice(at, from));
    at = from;
    for (const line of body) {
      const text = line.slice(1);
      if (line[0] === '+') {
        out.push(text);
        continue;
      }
      if (line[0] !== ' ' && line[0] !== '-') throw new Error(`${what}: a hunk line starts with neither " ", "-" nor "+": ${JSON.stringify(line)}`);
      if (lines[at] !== text) throw new Error(`${what}: the hunk ${header} no longer applies at line ${at + 1} (expected ${JSON.stringify(text)}, found ${JSON.stringify(lines[at])}): make the patch again against the current solution`);
      if (line[0] === ' ') out.push(text);
      at++;
    }
  }
  out.push(...lines.slice(at));
  return out.join('\n');
}
