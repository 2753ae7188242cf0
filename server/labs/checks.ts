/**
 * Exercises in a lab (docs/protocol.md, "Exercises"): put an exercise's starter files into the
 * learner's home, run its checker there, and hand out the reference solution once the lab has
 * passed every check of the exercise. Holds, per lab, the exercises it has passed and the checks
 * running now; the HTTP route (server/routes/exercises.ts) records checks in the classroom.
 *
 * Everything runs inside the lab through Sandbox.exec, under the lab's limits. A pass cannot be
 * faked from inside the lab (docs/protocol.md, "A pass cannot be faked"): the checker runs as the
 * lab's checker user (sandbox/drivers/checker-user.ts), which the learner cannot signal or trace,
 * from root-owned files the lab sees read-only; the learner's program is started as the learner by
 * a second exec, the runner (content/exercises/_lib/runner-link.ts), so what it prints never
 * reaches the checker's stdout, where the report is; and the report is taken only for the checks
 * the shipped check.ts declares (check-report.ts). The solution never enters the lab, it is only sent in the answer.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckAnswer, Solution, Started } from '../../wire/lab-api.ts';
import { ExecError } from '../../sandbox/drivers/exec.ts';
import type { ExecOptions, ExecResult, Sandbox } from '../../sandbox/drivers/types.ts';
import type { CheckerFile } from '../../sandbox/drivers/checker-user.ts';
import { declaredCheckIds, EXERCISES_DIR, exerciseFiles } from '../../src/catalog/exercise-manifest.ts';
import { acceptReport, parseReportLine } from './check-report.ts';
import { exercise, ExerciseError, language } from './exercise-catalog.ts';
import { CHECK_SCRIPT, NOT_STARTED, records, RUNNER_SCRIPT, START_SCRIPT } from './exercise-scripts.ts';
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

async function exec(sandbox: Sandbox, script: string, args: string[], options: Omit<ExecOptions, 'maxOutputBytes'>): Promise<ExecResult> {
  try {
    return await sandbox.exec(['/bin/sh', '-c', script, 'socketlab-exercise', ...args], { ...options, maxOutputBytes: 1024 * 1024 });
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
  const result = await exec(lab.sandbox, START_SCRIPT, [id, lang], { stdin: records(files), timeoutMs: 10_000 });
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
  // The ids the server accepts come from the very check.ts it ships.
  const check = readFileSync(join(def.dir, 'check.ts'));
  const declared = declaredCheckIds(check.toString('utf8'), join(def.dir, 'check.ts'));
  const runner = `socketlab-runner-${randomBytes(12).toString('hex')}`;
  const config = JSON.stringify({ build: entry.build, run: entry.run, deadlineMs, runner });
  const count = running.get(lab) ?? 0;
  if (count >= MAX_CHECKS_PER_LAB) throw new ExerciseError(409, 'busy', `${count} checks are already running in this lab; wait for one to finish.`);
  running.set(lab, count + 1);
  let result;
  try {
    await lab.sandbox.installCheckerFiles([...libraryFiles(), { path: `${id}/check.ts`, content: check }]);
    const timeoutMs = deadlineMs + EXEC_MARGIN_MS;
    // The runner ends once the checker has (their link closes), or gives up when no checker answers.
    void exec(lab.sandbox, RUNNER_SCRIPT, [id, lang, runner], { timeoutMs }).catch(() => {});
    result = await exec(lab.sandbox, CHECK_SCRIPT, [id, lang, config], { timeoutMs, user: 'checker' });
  } finally {
    running.set(lab, (running.get(lab) ?? 1) - 1);
  }
  if (result.code === NOT_STARTED) {
    throw new ExerciseError(409, 'not-started', `There is no ~/exercises/${id}/${lang} in the lab (or the checker cannot enter it: keep it, and the folders above it, readable by others): start the exercise first (POST .../exercises/${id}/start), which puts the starter files there.`);
  }
  const stdout = Buffer.from(result.stdout).toString('utf8');
  const raw = parseReportLine(stdout.trim().split('\n').at(-1) ?? '');
  if (!raw) {
    labLog(lab.id).warn({ exercise: id, lang, code: result.code, stderr: result.stderr.slice(-2000) }, 'checker gave no report');
    throw new ExerciseError(500, 'check', `The checker gave no report (exit code ${result.code}): ${result.stderr.trim().slice(-500) || stdout.trim().slice(-500) || 'no output'}`);
  }
  const report = acceptReport(raw, declared);
  if (report.passed === report.total) {
    const set = passed.get(lab) ?? new Set<string>();
    set.add(id);
    passed.set(lab, set);
  }
  return { ...report, exercise: id, lang, unlocked: hasPassed(lab, id) };
}

/** The checker library and the runner (every file of content/exercises/_lib), as the lab gets them. */
function libraryFiles(): CheckerFile[] {
  const dir = join(EXERCISES_DIR, '_lib');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ path: `_lib/${name}`, content: readFileSync(join(dir, name)) }));
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
