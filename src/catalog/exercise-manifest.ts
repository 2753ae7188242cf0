/**
 * The manifest beside every exercise (`content/exercises/<id>/exercise.json`): per language, how
 * to build and run the learner's program, and how long the checker may take. One schema serves the
 * lab server (which runs the checker) and the tests (which run it against the solutions).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../schemas/error-map.ts';
import { LANGS, type Lang } from './topics.ts';

const command = z.string().min(1).describe('A shell command, run in the learner\'s exercise folder.');

export const languageSchema = z
  .object({
    build: z.array(command).default([]).describe('Commands that build the program, in order (empty for TypeScript).'),
    check: z.array(command).default([]).describe('Static checks the course runs on the starter and solution (e.g. `go vet`).'),
    run: command.describe('How to start the program; may use {port}, {socket} and {name} (an abstract socket name).'),
  })
  .strict();

export const exerciseManifestSchema = z
  .object({
    $schema: z.string().optional(),
    deadlineSeconds: z
      .number()
      .int()
      .min(5)
      .max(120)
      .describe('The most the checker may take in all, build included; it reports what it has by then.'),
    languages: z
      .partialRecord(z.enum(LANGS), languageSchema)
      .refine((l) => Object.keys(l).length > 0, 'must offer at least one language')
      .describe('Each language the exercise is offered in.'),
  })
  .strict();

export type ExerciseManifest = z.infer<typeof exerciseManifestSchema>;
export type LanguageEntry = z.infer<typeof languageSchema>;

export const EXERCISES_DIR = resolve(import.meta.dirname, '../../content/exercises');
export const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface ExerciseFile {
  /** Relative to the starter/<lang> or solution/<lang> folder. */
  path: string;
  content: Buffer;
}

export interface ExerciseDef {
  id: string;
  dir: string;
  manifest: ExerciseManifest;
  languages: Lang[];
}

/** Reads and validates content/exercises/<id>/exercise.json; throws naming the file and field. */
export function loadExercise(id: string, root = EXERCISES_DIR): ExerciseDef {
  const dir = join(root, id);
  const file = join(dir, 'exercise.json');
  const parsed = exerciseManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is invalid:\n${formatIssues(parsed.error.issues)}`);
  const languages = LANGS.filter((l) => parsed.data.languages[l]);
  return { id, dir, manifest: parsed.data, languages };
}

/** Every exercise folder (the ones with an exercise.json), sorted by id. */
export function exerciseIds(root = EXERCISES_DIR): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ID.test(d.name) && statSync(join(root, d.name, 'exercise.json'), { throwIfNoEntry: false }))
    .map((d) => d.name)
    .sort();
}

/** The files of starter/<lang> or solution/<lang>, at any depth. */
export function exerciseFiles(def: ExerciseDef, kind: 'starter' | 'solution', lang: Lang): ExerciseFile[] {
  const base = join(def.dir, kind, lang);
  const out: ExerciseFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push({ path: relative(base, full), content: readFileSync(full) });
    }
  };
  walk(base);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The id the checker library gives the build, reported (failing) when the program does not build. */
export const BUILD_CHECK_ID = 'build';

/**
 * The ids of the checks a checker declares: every `id:` in its source must be a quoted literal
 * (`id: 'echo-line'`), each once. The server accepts a report of these checks only, so what a check
 * is called is fixed by the file it ships, not by what the checker prints. `file` names it in errors.
 */
export function declaredCheckIds(source: string, file: string): string[] {
  const ids: string[] = [];
  for (const match of source.matchAll(/\bid\s*:\s*/g)) {
    const at = match.index + match[0].length;
    const literal = /^'([^'\n]*)'/.exec(source.slice(at, at + 80));
    const line = source.slice(0, match.index).split('\n').length;
    const where = `${file}:${line}`;
    if (!literal) throw new Error(`${where}: a check's id must be a quoted literal, such as id: 'echo-line' (the server reads the ids from the file, without running it)`);
    const id = literal[1]!;
    if (!ID.test(id)) throw new Error(`${where}: the check id ${JSON.stringify(id)} must be lowercase letters, digits and "-"`);
    if (id === BUILD_CHECK_ID) throw new Error(`${where}: the check id "${BUILD_CHECK_ID}" is the checker library's own (the build); choose another`);
    if (ids.includes(id)) throw new Error(`${where}: the check id "${id}" is declared twice`);
    ids.push(id);
  }
  if (ids.length === 0) throw new Error(`${file} declares no check (no id: '...' found)`);
  return ids;
}
