/**
 * Exercises in a lab (docs/protocol.md, "Exercises"): put an exercise's starter files into the
 * learner's home, run its checker there, and hand out the reference solution once the lab has
 * passed every check of the exercise. Holds, per lab, the exercises it has passed and the checks
 * running now; the HTTP route (server/routes/exercises.ts) records checks in the classroom.
 *
 * Everything runs inside the lab through Sandbox.exec, as the learner, under the lab's limits. The
 * checker and its library travel on the command's standard input into a private temporary folder
 * and are removed afterwards; the solution never enters the lab, it is only sent in the answer.
 * (The learner's processes run as the same user as the checker, so a determined learner could
 * fake a pass: the lock is a study aid, not a security boundary.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkReportSchema, type CheckAnswer, type CheckReport, type Solution, type Started } from '../../wire/lab-api.ts';
import { ExecError } from '../../sandbox/drivers/exec.ts';
import type { ExecResult, Sandbox } from '../../sandbox/drivers/types.ts';
import { EXERCISES_DIR, exerciseFiles } from '../../src/catalog/exercise-manifest.ts';
import { exercise, ExerciseError, language } from './exercise-catalog.ts';
import { CHECK_SCRIPT, NOT_STARTED, records, START_SCRIPT } from './exercise-scripts.ts';
import type { Lab } from './manager.ts';
import { labLog } from '../log.ts';

/** Checks running at once in one lab; past this, 409 `busy`. */
const MAX_CHECKS_PER_LAB = 4;
/** What the checker may take beyond its own deadline before the lab's exec stops it. */
const EXEC_MARGIN_MS = 10_000;

/** Per lab: the exercises it has passed (every check, in any language), and checks running now. */
const passed = new WeakMap<Lab, Set<string>>();
const running = new WeakMap<Lab, number>();

function hasPassed(lab: Lab, id: string): boolean {
  return passed.get(lab)?.has(id) ?? false;
}

async function exec(sandbox: Sandbox, script: string, args: string[], stdin: Buffer, timeoutMs: number): Promise<ExecResult> {
  try {
    return await sandbox.exec(['/bin/sh', '-c', script, 'socketlab-exercise', ...args], { stdin, timeoutMs, maxOutputBytes: 1024 * 1024 });
  } catch (err) {
    if (err instanceof ExecError && err.failure === 'timeout') throw new ExerciseError(504, 'timeout', 'The lab did not finish in time (is it very busy?); try again.');
    if (err instanceof ExecError) throw new ExerciseError(500, 'check', `The lab stopped the checker: ${err.message}.`);
    throw err;
  }
}

/** Copies the starter of `id` in `lang` into ~/exercises/<id>/<lang>/, keeping files already there. */
export async function startExercise(lab: Lab, id: string, rawLang: unknown): Promise<Started> {
  const def = exercise(id);
  const lang = language(def, rawLang);
  const files = exerciseFiles(def, 'starter', lang);
  const result = await exec(lab.sandbox, START_SCRIPT, [id, lang], records(files), 10_000);
  if (result.code !== 0) {
    const detail = result.stderr.trim();
    if (/No space left|Disk quota/.test(detail)) throw new ExerciseError(507, 'no-space', `The lab's home folder is full: ${detail}`);
    throw new ExerciseError(500, 'start', `The lab could not copy the starter files: ${detail || `exit code ${result.code}`}`);
  }
  const created = Buffer.from(result.stdout).toString().split('\n').filter((l) => l.startsWith('created ')).map((l) => `exercises/${id}/${lang}/${l.slice(8)}`);
  return { dir: `exercises/${id}/${lang}`, files: files.map((f) => `exercises/${id}/${lang}/${f.path}`), created };
}

/** A check's answer before the classroom has had its say (`saved`, a released solution). */
export type CheckOutcome = Omit<CheckAnswer, 'saved' | 'submissionId'>;

/** Runs the checker of `id` against the learner's program in ~/exercises/<id>/<lang>/. */
export async function checkExercise(lab: Lab, id: string, rawLang: unknown): Promise<CheckOutcome> {
  const def = exercise(id);
  const lang = language(def, rawLang);
  const entry = def.manifest.languages[lang]!;
  const deadlineMs = def.manifest.deadlineSeconds * 1000;
  const files = [
    { path: '_lib/checker.ts', content: readFileSync(join(EXERCISES_DIR, '_lib/checker.ts')) },
    { path: `${id}/check.ts`, content: readFileSync(join(def.dir, 'check.ts')) },
  ];
  const config = JSON.stringify({ build: entry.build, run: entry.run, deadlineMs });
  const count = running.get(lab) ?? 0;
  if (count >= MAX_CHECKS_PER_LAB) throw new ExerciseError(409, 'busy', `${count} checks are already running in this lab; wait for one to finish.`);
  running.set(lab, count + 1);
  let result;
  try {
    result = await exec(lab.sandbox, CHECK_SCRIPT, [id, lang, config], records(files), deadlineMs + EXEC_MARGIN_MS);
  } finally {
    running.set(lab, (running.get(lab) ?? 1) - 1);
  }
  if (result.code === NOT_STARTED) {
    throw new ExerciseError(409, 'not-started', `There is no ~/exercises/${id}/${lang} in the lab: start the exercise first (POST .../exercises/${id}/start), which puts the starter files there.`);
  }
  const stdout = Buffer.from(result.stdout).toString('utf8');
  const report = parseReport(stdout.trim().split('\n').at(-1) ?? '');
  if (!report) {
    labLog(lab.id).warn({ exercise: id, lang, code: result.code, stderr: result.stderr.slice(-2000) }, 'checker gave no report');
    throw new ExerciseError(500, 'check', `The checker gave no report (exit code ${result.code}): ${result.stderr.trim().slice(-500) || stdout.trim().slice(-500) || 'no output'}`);
  }
  if (report.total > 0 && report.passed === report.total) {
    const set = passed.get(lab) ?? new Set<string>();
    set.add(id);
    passed.set(lab, set);
  }
  return { ...report, exercise: id, lang, unlocked: hasPassed(lab, id) };
}

/** The checker's report from its last line, validated against the wire schema; null if it is not one. */
function parseReport(line: string): CheckReport | null {
  try {
    const attempt = checkReportSchema.safeParse(JSON.parse(line));
    return attempt.success ? attempt.data : null;
  } catch {
    return null;
  }
}

/**
 * The reference solution of `id` in `lang`, once this lab has passed `id` or an instructor of the
 * learner's class has released it; 403 `locked` before.
 */
export function solution(lab: Lab, id: string, rawLang: unknown, released = false): Solution {
  const def = exercise(id);
  const lang = language(def, rawLang);
  if (!hasPassed(lab, id) && !released) {
    throw new ExerciseError(403, 'locked', `The solution of "${id}" unlocks after a check in this lab where every check passes.`);
  }
  return { exercise: id, lang, files: exerciseFiles(def, 'solution', lang).map((f) => ({ path: f.path, content: f.content.toString('utf8') })) };
}
