/**
 * An exercise's statement (content/exercises/<id>/exercise.mdx) read from its file, for what reads
 * it outside the content collection: the sidebar (astro.config.mjs runs before the collections
 * exist) and the tests. It parses the frontmatter with the function Astro's MDX loader uses
 * (@astrojs/internal-helpers) and validates it with the collection's own schema
 * (src/schemas/exercise.ts), so the sidebar and the pages cannot read a statement differently.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFrontmatter } from '@astrojs/internal-helpers/frontmatter';
import { formatIssues } from '../schemas/error-map.ts';
import { exerciseFields, type ExerciseFields } from '../schemas/exercise.ts';

export interface Statement extends ExerciseFields {
  /** The exercise's folder name. */
  id: string;
}

/** The frontmatter of `<dir>/<id>/exercise.mdx`; throws naming the file and every wrong field. */
export function readStatement(dir: string, id: string): Statement {
  const file = join(dir, id, 'exercise.mdx');
  const parsed = exerciseFields.safeParse(parseFrontmatter(readFileSync(file, 'utf8')).frontmatter);
  if (!parsed.success) throw new Error(`${file} is invalid:\n${formatIssues(parsed.error.issues)}`);
  return { id, ...parsed.data };
}

/** Every statement under `dir` (folders starting with "_" hold shared code, not exercises), by `order`. */
export function readStatements(dir: string): Statement[] {
  const ids = existsSync(dir) ? readdirSync(dir).filter((id) => !id.startsWith('_') && existsSync(join(dir, id, 'exercise.mdx'))) : [];
  return ids.map((id) => readStatement(dir, id)).sort((a, b) => a.order - b.order);
}
