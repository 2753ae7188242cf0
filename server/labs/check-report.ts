/**
 * What the server takes from a checker's report: only the checks the exercise's check.ts declares
 * (declaredCheckIds), each once, plus the library's failing `build` check, with every string
 * clipped; `passed` and `total` are counted here, never read. Whatever the checker's output says,
 * nothing else reaches the answer, the lock on the solution or the classroom.
 */
import { z } from 'zod';
import type { CheckLine, CheckReport } from '../../wire/lab-api.ts';
import { BUILD_CHECK_ID } from '../../src/catalog/exercise-manifest.ts';
import { ExerciseError } from './exercise-catalog.ts';

/** The most characters a check's title keeps; the other strings (sent, expected, got, hint) keep TEXT_LIMIT. */
export const TITLE_LIMIT = 200;
export const TEXT_LIMIT = 2000;

const rawReportSchema = z.object({
  checks: z.array(z.object({ id: z.string(), title: z.string(), pass: z.boolean(), sent: z.string(), expected: z.string(), got: z.string(), hint: z.string(), notRun: z.string().optional() })),
});

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The report in the checker's last output line, or null when that line is not one. */
export function parseReportLine(line: string): z.infer<typeof rawReportSchema> | null {
  try {
    const attempt = rawReportSchema.safeParse(JSON.parse(line));
    return attempt.success ? attempt.data : null;
  } catch {
    return null;
  }
}

/**
 * The report of exactly the `declared` checks, or a 500 `check` saying what was wrong: an unknown
 * or repeated id, a declared check missing, a passing `build`.
 */
export function acceptReport(raw: z.infer<typeof rawReportSchema>, declared: string[]): CheckReport {
  const refuse = (why: string) => new ExerciseError(500, 'check', `The checker's report was refused: ${why}. This is a fault of the checker, not of your program; tell the course's staff.`);
  const seen = new Set<string>();
  const checks: CheckLine[] = [];
  for (const check of raw.checks) {
    const id = check.id;
    if (!declared.includes(id) && !(id === BUILD_CHECK_ID && !check.pass)) throw refuse(`it names a check ${JSON.stringify(clip(id, 40))} its check.ts does not declare (it declares ${declared.join(', ')})`);
    if (seen.has(id)) throw refuse(`it names the check "${id}" twice`);
    if (check.pass && check.notRun !== undefined) throw refuse(`it says the check "${id}" passed and was not run`);
    seen.add(id);
    checks.push({
      id,
      title: clip(check.title, TITLE_LIMIT),
      pass: check.pass,
      sent: clip(check.sent, TEXT_LIMIT),
      expected: clip(check.expected, TEXT_LIMIT),
      got: clip(check.got, TEXT_LIMIT),
      hint: clip(check.hint, TEXT_LIMIT),
      ...(check.notRun !== undefined && { notRun: clip(check.notRun, TEXT_LIMIT) }),
    });
  }
  const missing = declared.filter((id) => !seen.has(id));
  if (missing.length > 0) throw refuse(`it leaves out the declared check${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return { checks, passed: checks.filter((c) => c.pass).length, total: checks.length };
}
