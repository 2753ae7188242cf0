/**
 * Exercises in a lab (docs/protocol.md, "Exercises"): put an exercise's starter files into the
 * learner's home, run its checker there, and hand out the reference solution once the lab has
 * passed every check of the exercise.
 *
 *   POST /api/labs/:labId/exercises/:id/start            {"lang":"c"}   starter -> ~/exercises/<id>/<lang>/
 *   POST /api/labs/:labId/exercises/:id/check            {"lang":"c"}   run the checker, JSON report
 *   GET  /api/labs/:labId/exercises/:id/solution/:lang                  403 until a passing check
 *
 * Everything runs inside the lab through Sandbox.exec, as the learner, under the lab's limits. The
 * checker and its library travel on the command's standard input into a private temporary folder
 * and are removed afterwards; the solution never enters the lab, it is only sent in the answer.
 * (The learner's processes run as the same user as the checker, so a determined learner could
 * fake a pass: the lock is a study aid, not a security boundary.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ExecError } from '../../sandbox/drivers/exec.ts';
import type { Sandbox } from '../../sandbox/drivers/types.ts';
import { EXERCISES_DIR, EXERCISE_LANGS, ID, exerciseFiles, exerciseIds, loadExercise, type ExerciseDef, type ExerciseLang } from '../../src/catalog/exercise-manifest.ts';
import type { Lab, LabManager } from '../labs/manager.ts';
import { ApiError, bearer, json, notAllowed } from '../http.ts';
import { labLog } from '../log.ts';
import type { Classroom } from '../classroom/classroom.ts';
import { readCookies } from '../classroom/cookies.ts';
import type { Learner } from '../classroom/store/types.ts';

/** An exercise request refused or failed, with its HTTP answer. */
export class CheckError extends ApiError {}

/** Checks running at once in one lab; past this, 409 `busy`. */
export const MAX_CHECKS_PER_LAB = 4;
/** What the checker may take beyond its own deadline before the lab's exec stops it. */
const EXEC_MARGIN_MS = 10_000;

export const resultSchema = z.object({
  checks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      pass: z.boolean(),
      sent: z.string(),
      expected: z.string(),
      got: z.string(),
      hint: z.string(),
    }),
  ),
  passed: z.number().int(),
  total: z.number().int(),
});

export type CheckReport = z.infer<typeof resultSchema>;

/** Per lab: the exercises it has passed (every check, in any language), and checks running now. */
const passed = new WeakMap<Lab, Set<string>>();
const running = new WeakMap<Lab, number>();

export function hasPassed(lab: Lab, id: string): boolean {
  return passed.get(lab)?.has(id) ?? false;
}

const catalog = new Map<string, ExerciseDef>();

/** The exercise `id`, or 404 `no-exercise` naming the ones there are. */
export function exercise(id: string): ExerciseDef {
  const known = catalog.get(id);
  if (known) return known;
  if (!ID.test(id) || !exerciseIds().includes(id)) {
    throw new CheckError(404, 'no-exercise', `There is no exercise ${JSON.stringify(id.slice(0, 80))}; there are: ${exerciseIds().join(', ')}.`);
  }
  const def = loadExercise(id);
  catalog.set(id, def);
  return def;
}

function language(def: ExerciseDef, lang: unknown): ExerciseLang {
  if (typeof lang === 'string' && (def.languages as string[]).includes(lang)) return lang as ExerciseLang;
  const offered = def.languages.map((l) => `"${l}"`).join(', ');
  const what = lang === undefined ? 'No "lang" was given' : `${JSON.stringify(lang).slice(0, 40)} is not a language of this exercise`;
  throw new CheckError(400, 'bad-lang', `${what}; "${def.id}" is offered in ${offered}${(EXERCISE_LANGS as readonly string[]).includes(String(lang)) ? '' : ' (languages are c, go and ts)'}.`);
}

/** Files as "name\nbase64\n" records, which the lab's script turns back into files. */
function records(files: { path: string; content: Buffer }[]): Buffer {
  return Buffer.from(files.map((f) => `${f.path}\n${f.content.toString('base64')}\n`).join(''));
}

const WRITE_RECORDS = `
while IFS= read -r name && IFS= read -r data; do
  target="$base/$name"
  if [ "$mode" = keep ] && [ -e "$target" ]; then printf 'kept %s\\n' "$name"; continue; fi
  mkdir -p -- "\${target%/*}" && printf '%s' "$data" | base64 -d > "$target" || exit 1
  printf 'created %s\\n' "$name"
done`;

async function exec(sandbox: Sandbox, script: string, args: string[], stdin: Buffer, timeoutMs: number) {
  try {
    return await sandbox.exec(['/bin/sh', '-c', script, 'socketlab-exercise', ...args], { stdin, timeoutMs, maxOutputBytes: 1024 * 1024 });
  } catch (err) {
    if (err instanceof ExecError && err.failure === 'timeout') throw new CheckError(504, 'timeout', 'The lab did not finish in time (is it very busy?); try again.');
    if (err instanceof ExecError) throw new CheckError(500, 'check', `The lab stopped the checker: ${err.message}.`);
    throw err;
  }
}

export interface Started {
  dir: string;
  files: string[];
  /** The files copied now; the others were already there (the learner's work is never overwritten). */
  created: string[];
}

/** Copies the starter of `id` in `lang` into ~/exercises/<id>/<lang>/, keeping files already there. */
export async function startExercise(lab: Lab, id: string, rawLang: unknown): Promise<Started> {
  const def = exercise(id);
  const lang = language(def, rawLang);
  const files = exerciseFiles(def, 'starter', lang);
  const script = `mode=keep; base="$HOME/exercises/$1/$2"; mkdir -p -- "$base" || exit 1\n${WRITE_RECORDS}`;
  const result = await exec(lab.sandbox, script, [id, lang], records(files), 10_000);
  if (result.code !== 0) {
    const detail = result.stderr.trim();
    if (/No space left|Disk quota/.test(detail)) throw new CheckError(507, 'no-space', `The lab's home folder is full: ${detail}`);
    throw new CheckError(500, 'start', `The lab could not copy the starter files: ${detail || `exit code ${result.code}`}`);
  }
  const created = Buffer.from(result.stdout).toString().split('\n').filter((l) => l.startsWith('created ')).map((l) => `exercises/${id}/${lang}/${l.slice(8)}`);
  return { dir: `exercises/${id}/${lang}`, files: files.map((f) => `exercises/${id}/${lang}/${f.path}`), created };
}

const NOT_STARTED = 40;

/** Runs the checker of `id` against the learner's program in ~/exercises/<id>/<lang>/. */
export async function checkExercise(lab: Lab, id: string, rawLang: unknown): Promise<CheckReport & { exercise: string; lang: ExerciseLang; unlocked: boolean }> {
  const def = exercise(id);
  const lang = language(def, rawLang);
  const entry = def.manifest.languages[lang]!;
  const deadlineMs = def.manifest.deadlineSeconds * 1000;
  const files = [
    { path: '_lib/checker.ts', content: readFileSync(join(EXERCISES_DIR, '_lib/checker.ts')) },
    { path: `${id}/check.ts`, content: readFileSync(join(def.dir, 'check.ts')) },
  ];
  const config = JSON.stringify({ build: entry.build, run: entry.run, deadlineMs });
  const script = `
work="$HOME/exercises/$1/$2"
[ -d "$work" ] || exit ${NOT_STARTED}
base=$(mktemp -d /tmp/socketlab-check.XXXXXX) || exit 1
trap 'rm -rf -- "$base"' EXIT
mode=write
${WRITE_RECORDS} > /dev/null
cd -- "$work" && node "$base/$1/check.ts" "$3"`;
  const count = running.get(lab) ?? 0;
  if (count >= MAX_CHECKS_PER_LAB) throw new CheckError(409, 'busy', `${count} checks are already running in this lab; wait for one to finish.`);
  running.set(lab, count + 1);
  let result;
  try {
    result = await exec(lab.sandbox, script, [id, lang, config], records(files), deadlineMs + EXEC_MARGIN_MS);
  } finally {
    running.set(lab, (running.get(lab) ?? 1) - 1);
  }
  if (result.code === NOT_STARTED) {
    throw new CheckError(409, 'not-started', `There is no ~/exercises/${id}/${lang} in the lab: start the exercise first (POST .../exercises/${id}/start), which puts the starter files there.`);
  }
  const stdout = Buffer.from(result.stdout).toString('utf8');
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: CheckReport | null = null;
  try {
    const attempt = resultSchema.safeParse(JSON.parse(last));
    if (attempt.success) parsed = attempt.data;
  } catch {}
  if (!parsed) {
    labLog(lab.id).warn({ exercise: id, lang, code: result.code, stderr: result.stderr.slice(-2000) }, 'checker gave no report');
    throw new CheckError(500, 'check', `The checker gave no report (exit code ${result.code}): ${result.stderr.trim().slice(-500) || stdout.trim().slice(-500) || 'no output'}`);
  }
  if (parsed.total > 0 && parsed.passed === parsed.total) {
    const set = passed.get(lab) ?? new Set<string>();
    set.add(id);
    passed.set(lab, set);
  }
  return { ...parsed, exercise: id, lang, unlocked: hasPassed(lab, id) };
}

/**
 * The reference solution of `id` in `lang`, once this lab has passed `id` or an instructor of the
 * learner's class has released it; 403 `locked` before.
 */
export function solution(lab: Lab, id: string, rawLang: unknown, released = false): { exercise: string; lang: ExerciseLang; files: { path: string; content: string }[] } {
  const def = exercise(id);
  const lang = language(def, rawLang);
  if (!hasPassed(lab, id) && !released) {
    throw new CheckError(403, 'locked', `The solution of "${id}" unlocks after a check in this lab where every check passes.`);
  }
  return { exercise: id, lang, files: exerciseFiles(def, 'solution', lang).map((f) => ({ path: f.path, content: f.content.toString('utf8') })) };
}

// ---------------------------------------------------------------------------------------------
// HTTP

const ROUTE = /^\/api\/labs\/([^/]+)\/exercises\/([^/]+)\/(start|check|solution)(?:\/([^/]+))?$/;

/** The classroom learner making the request (device cookie or signed-in account), or null when anonymous. */
async function learnerOf(req: IncomingMessage, classroom: Classroom): Promise<Learner | null> {
  const cookies = readCookies(req.headers.cookie);
  const signedIn = await classroom.session(cookies.session);
  return classroom.learner({ deviceToken: cookies.learner, userId: signedIn?.user.id });
}

/**
 * Answers the request when it is an exercise route (returns true), else leaves it alone. For a
 * learner in a class, starts and checks are recorded in the classroom (the check's answer says
 * `saved: true` once it is durable) and a solution the instructor released is unlocked.
 */
export async function handleExerciseRoute(req: IncomingMessage, res: ServerResponse, labs: LabManager, classroom: Classroom): Promise<boolean> {
  const raw = (req.url ?? '/').split('?')[0]!;
  const match = ROUTE.exec(raw);
  if (!match) return false;
  const [, labId = '', rawId = '', action, rawLang] = match;
  const lab = labs.authorize(labId, bearer(req));
  if (!lab) {
    req.resume();
    json(res, 404, { error: 'No such lab, or the token is wrong.', reason: 'no-lab' });
    return true;
  }
  const method = req.method ?? 'GET';
  try {
    const id = decodeURIComponent(rawId);
    if (action === 'solution') {
      req.resume();
      if (method !== 'GET') {
        notAllowed(req, res, 'GET', 'a solution');
        return true;
      }
      if (rawLang === undefined) throw new CheckError(400, 'bad-lang', 'Say which language: .../solution/<lang>.');
      const learner = await learnerOf(req, classroom);
      const released = learner !== null && (await classroom.solutionReleased(learner.id, id));
      json(res, 200, solution(lab, id, decodeURIComponent(rawLang), released));
      return true;
    }
    if (rawLang !== undefined) {
      req.resume();
      json(res, 404, { error: `No API route ${method} ${raw}.`, reason: 'not-found' });
      return true;
    }
    if (method !== 'POST') {
      notAllowed(req, res, 'POST', action === 'start' ? 'starting an exercise' : 'a check');
      return true;
    }
    const body = await readJson(req);
    labs.touch(lab); // the learner at work, as typing is
    const learner = await learnerOf(req, classroom);
    if (action === 'start') {
      const started = await startExercise(lab, id, body.lang);
      if (learner) await classroom.recordStart(learner.id, id, String(body.lang));
      json(res, 200, started);
    } else {
      const report = await checkExercise(lab, id, body.lang);
      if (learner) {
        // Recorded before the answer: a check the learner was told is saved survives a crash.
        const submission = await classroom.recordCheck({ learnerId: learner.id, exerciseId: id, lang: report.lang, passed: report.passed, total: report.total, checks: report.checks });
        const unlocked = report.unlocked || (await classroom.solutionReleased(learner.id, id));
        json(res, 200, { ...report, unlocked, saved: true, submissionId: submission.id });
      } else {
        json(res, 200, { ...report, saved: false });
      }
    }
  } catch (err) {
    if (res.headersSent) res.destroy();
    else if (err instanceof CheckError) json(res, err.status, { error: err.message, reason: err.reason });
    else if (err instanceof URIError) json(res, 400, { error: 'The URL is not valid percent-encoding.', reason: 'bad-request' });
    else if (lab.ended) json(res, 404, { error: 'The lab has ended.', reason: 'no-lab' });
    else {
      labLog(lab.id).error({ err, method, path: raw }, 'exercise request failed');
      json(res, 500, { error: `The lab could not do that: ${(err as Error).message}`, reason: 'check' });
    }
  }
  return true;
}

/** A small JSON object body ({"lang": ...}); 400 `bad-request` for anything else. */
function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4096) chunks.push(chunk);
    });
    req.once('error', reject);
    req.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (size > 4096) return reject(new CheckError(413, 'too-large', 'The body is a small JSON object such as {"lang":"c"}.'));
      try {
        const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new CheckError(400, 'bad-request', `The body must be a JSON object such as {"lang":"c"}; got ${JSON.stringify(text.slice(0, 60))}.`));
      }
    });
  });
}
