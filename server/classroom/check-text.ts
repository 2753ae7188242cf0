/**
 * What of a check report is kept. A checker runs in the learner's own lab, as the learner, so its
 * report is whatever the learner's processes make it (up to the 1 MiB a lab command may print):
 * the stored check lines are cut to STORED_CHECKS_MAX_BYTES of JSON, each text to a few thousand
 * characters, and lines that no longer fit are left out. An honest report is a few KiB and is
 * kept whole; a cut one is marked (`cutFrom`: how big it was) so the instructor sees it was cut.
 */
import type { CheckLine } from '../../wire/lab-api.ts';

export const STORED_CHECKS_MAX_BYTES = 16 * 1024;
/** Characters kept of each text of a line (title, sent, expected, got, hint), and of every text once space runs short. */
const TEXT_CHARS = 2000;
const SHORT_TEXT_CHARS = 120;

export interface FittedChecks {
  checks: CheckLine[];
  /** The size in bytes of the report's check lines (as JSON) when they were cut to fit; null when kept whole. */
  cutFrom: number | null;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function cutText(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}… [cut: ${text.length} characters in all]`;
}

function cutLine(line: CheckLine, chars: number): CheckLine {
  return { ...line, id: cutText(line.id, SHORT_TEXT_CHARS), title: cutText(line.title, chars), sent: cutText(line.sent, chars), expected: cutText(line.expected, chars), got: cutText(line.got, chars), hint: cutText(line.hint, chars), ...(line.notRun !== undefined && { notRun: cutText(line.notRun, chars) }) };
}

export function fitChecks(checks: CheckLine[]): FittedChecks {
  const size = bytes(checks);
  if (size <= STORED_CHECKS_MAX_BYTES) return { checks, cutFrom: null };
  const kept: CheckLine[] = [];
  let used = 2; // the brackets
  for (const line of checks) {
    // A line's texts are cut to TEXT_CHARS; when that does not fit either, to a short preview.
    const fitted = [cutLine(line, TEXT_CHARS), cutLine(line, SHORT_TEXT_CHARS)].find((l) => used + bytes(l) + 1 <= STORED_CHECKS_MAX_BYTES);
    if (!fitted) break;
    kept.push(fitted);
    used += bytes(fitted) + 1;
  }
  return { checks: kept, cutFrom: size };
}
