/**
 * Turns zod issues into lines a person can act on: which field, what was wrong, what is allowed.
 * Used for the example and exercise manifests and for exercise statements read outside the
 * content collection (src/catalog/exercise-statement.ts); Astro reports frontmatter errors of the
 * collections with the file name and these same zod messages.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

export function formatIssue(issue: Issue): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `- ${field}: ${issue.message}`;
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map(formatIssue).join('\n');
}
