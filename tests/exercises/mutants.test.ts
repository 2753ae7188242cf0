/**
 * Mutants: plausible wrong programs, one folder each, that every exercise's checker must fail.
 *
 *   tests/exercises/mutants/<exercise>/<mutant-name>/
 *     mutant.json   {"lang": "c"|"go"|"ts", "mistake": "<the lesson's mistake it makes>",
 *                    "fails": "<id of a check it must fail>", "hint": "<regex the failing hint matches>"}
 *                   ("fails" may list ids, ["a", "b"], for a mistake that shows in whichever of
 *                   those checks the timing exposes it: it must fail at least one, with the hint)
 *     <file>.patch  a unified diff (`diff -u`) of one file of the reference solution in that
 *                   language: the mistake, and nothing else, shown as a change of the program
 *                   learners read (the solution's other files are kept). A patch that no longer
 *                   applies because the solution moved on fails, naming the hunk.
 *
 * For each driver: one real server and a few labs; each mutant is started in its language through
 * the public lab API, the solution's files and then the mutant's are saved with the file API, the
 * checker runs, and the named check must fail with a hint that matches (a hint that names the
 * mistake, so a mutant failing for an unrelated reason does not count). The reference solutions
 * passing the same checkers is tests/server/exercises.test.ts's job.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createLab } from '../support/lab-client.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { testDrivers } from '../support/drivers.ts';
import { declaredCheckIds, exerciseFiles, exerciseIds, loadExercise, type ExerciseDef } from '../../src/catalog/exercise-manifest.ts';
import { applyUnifiedDiff } from '../support/unified-diff.ts';
import type { CheckAnswer, LabTicket } from '../../wire/lab-api.ts';

const MUTANTS_DIR = join(import.meta.dirname, 'mutants');
const LABS = 2;
/** Checks at once per lab: the checkers are timing-sensitive and the machine is small. */
const PER_LAB = 2;

const mutantSchema = z
  .object({
    lang: z.enum(['c', 'go', 'ts']),
    mistake: z.string().trim().min(10, 'say in one line which of the lesson\'s mistakes the program makes'),
    fails: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'name the id of a check the mutant must fail, or a list of them' })
      .transform((fails) => (typeof fails === 'string' ? [fails] : fails)),
    hint: z.string().min(1, 'give a regular expression the failing check\'s hint must match').refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression'),
  })
  .strict();

interface Mutant {
  exercise: ExerciseDef;
  name: string;
  spec: z.infer<typeof mutantSchema>;
  files: { path: string; content: Buffer }[];
}

/** The check ids an exercise's check.ts declares, read as the server reads them. */
function checkIds(def: ExerciseDef): Set<string> {
  return new Set(declaredCheckIds(readFileSync(join(def.dir, 'check.ts'), 'utf8'), `${def.id}/check.ts`));
}

/** Reads and validates one mutant folder; throws saying what is wrong and how to fix it. */
function loadMutant(exerciseId: string, name: string): Mutant {
  const dir = join(MUTANTS_DIR, exerciseId, name);
  const where = relative(process.cwd(), dir);
  if (!exerciseIds().includes(exerciseId)) throw new Error(`${where}: there is no exercise "${exerciseId}" (content/exercises/${exerciseId}/exercise.json); name the folder after one`);
  const exercise = loadExercise(exerciseId);
  const jsonFile = join(dir, 'mutant.json');
  if (!existsSync(jsonFile)) throw new Error(`${where} has no mutant.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch (err) {
    throw new Error(`${where}/mutant.json is not JSON: ${(err as Error).message}`);
  }
  const parsed = mutantSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${where}/mutant.json is invalid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n')}`);
  const spec = parsed.data;
  if (!exercise.languages.includes(spec.lang)) throw new Error(`${where}/mutant.json: "${exerciseId}" is not offered in "${spec.lang}" (it is in ${exercise.languages.join(', ')})`);
  const ids = checkIds(exercise);
  for (const id of spec.fails) {
    if (!ids.has(id)) throw new Error(`${where}/mutant.json: "fails" names "${id}", which is no check id of ${exerciseId}/check.ts (${[...ids].join(', ')})`);
  }
  const solution = new Map(exerciseFiles(exercise, 'solution', spec.lang).map((f) => [f.path, f.content.toString()]));
  const patches = readdirSync(dir).filter((f) => f !== 'mutant.json');
  if (patches.length === 0) throw new Error(`${where} holds no patch: add the mistake as a diff of the solution (diff -u solution/${spec.lang}/server.${spec.lang} yours > server.${spec.lang}.patch)`);
  const files = patches.map((patch) => {
    const path = patch.replace(/\.patch$/, '');
    const original = solution.get(path);
    if (!patch.endsWith('.patch') || original === undefined) throw new Error(`${where}/${patch} is not <file>.patch of a file of solution/${spec.lang} (${[...solution.keys()].join(', ')})`);
    return { path, content: Buffer.from(applyUnifiedDiff(original, readFileSync(join(dir, patch), 'utf8'), `${where}/${patch}`)) };
  });
  return { exercise, name, spec, files };
}

function discover(): { mutants: Mutant[]; errors: string[] } {
  const mutants: Mutant[] = [];
  const errors: string[] = [];
  if (!existsSync(MUTANTS_DIR)) return { mutants, errors };
  for (const exerciseId of readdirSync(MUTANTS_DIR).sort()) {
    if (!statSync(join(MUTANTS_DIR, exerciseId)).isDirectory()) continue;
    for (const name of readdirSync(join(MUTANTS_DIR, exerciseId)).sort()) {
      try {
        mutants.push(loadMutant(exerciseId, name));
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  }
  return { mutants, errors };
}

const { mutants, errors } = discover();

describe('mutant folders', () => {
  it('every mutant.json is valid and names a check of its exercise and files of its solution', () => {
    assert.deepEqual(errors, []);
  });

  for (const id of exerciseIds()) {
    it(`${id} has at least three mutants, at least one per language offered`, () => {
      const def = loadExercise(id);
      const own = mutants.filter((m) => m.exercise.id === id);
      assert.ok(own.length >= 3, `${id} has ${own.length} mutant(s) in tests/exercises/mutants/${id}/; it needs at least 3`);
      const missing = def.languages.filter((lang) => !own.some((m) => m.spec.lang === lang));
      assert.deepEqual(missing, [], `${id} has no mutant in ${missing.join(', ')}`);
    });
  }
});

/**
 * Runs `job` for every mutant over `labs` with at most PER_LAB at once in each lab, never two of
 * the same exercise and language at once (they would share ~/exercises/<id>/<lang>/).
 */
async function runAll(labs: LabTicket[], job: (lab: LabTicket, m: Mutant) => Promise<string>): Promise<string[]> {
  const queue = mutants.map((m, i) => ({ m, i }));
  const busy = new Set<string>();
  const results: string[] = new Array(mutants.length);
  const waiting = new Set<() => void>();
  const worker = async (lab: LabTicket) => {
    for (;;) {
      const at = queue.findIndex(({ m }) => !busy.has(`${m.exercise.id}/${m.spec.lang}`));
      if (at < 0) {
        if (queue.length === 0) return;
        await new Promise<void>((resolve) => waiting.add(resolve));
        continue;
      }
      const { m, i } = queue.splice(at, 1)[0]!;
      const key = `${m.exercise.id}/${m.spec.lang}`;
      busy.add(key);
      try {
        results[i] = await job(lab, m);
      } finally {
        busy.delete(key);
        for (const resolve of waiting) resolve();
        waiting.clear();
      }
    }
  };
  await Promise.all(labs.flatMap((lab) => Array.from({ length: PER_LAB }, () => worker(lab))));
  return results;
}

for (const driver of testDrivers()) {
  describe(`mutants fail their checks (${driver})`, () => {
    let server: TestServer;
    const labs: LabTicket[] = [];

    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '900' });
      for (let i = 0; i < LABS; i++) labs.push(await createLab(server.base));
    });
    after(async () => {
      await server?.stop();
    });

    it('every mutant fails the check it names, with a hint that names its mistake', async () => {
      assert.ok(mutants.length > 0, 'no mutants found under tests/exercises/mutants/');
      const started = Date.now();
      const problems: string[] = [];
      const lines = await runAll(labs, async (lab, m) => {
        const auth = { Authorization: `Bearer ${lab.token}` };
        const api = `${server.base}/api/labs/${lab.labId}`;
        const where = `${m.exercise.id}/${m.name} (${m.spec.lang})`;
        const start = await fetch(`${api}/exercises/${m.exercise.id}/start`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ lang: m.spec.lang }) });
        assert.equal(start.status, 200, `${where}: start: ${await start.text()}`);
        for (const f of [...exerciseFiles(m.exercise, 'solution', m.spec.lang), ...m.files]) {
          const saved = await fetch(`${api}/files/exercises/${m.exercise.id}/${m.spec.lang}/${f.path}`, { method: 'PUT', headers: auth, body: f.content as Uint8Array<ArrayBuffer> });
          assert.equal(saved.status, 204, `${where}: saving ${f.path}: ${await saved.text()}`);
        }
        const t0 = Date.now();
        const res = await fetch(`${api}/exercises/${m.exercise.id}/check`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ lang: m.spec.lang }) });
        const seconds = ((Date.now() - t0) / 1000).toFixed(1);
        const answer = (await res.json()) as CheckAnswer;
        assert.equal(res.status, 200, `${where}: check: ${JSON.stringify(answer)}`);
        const summary = answer.checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.id}${c.pass ? '' : `: got ${c.got.slice(0, 200)} | hint: ${c.hint}`}`).join('\n    ');
        const named = answer.checks.filter((c) => m.spec.fails.includes(c.id));
        const failed = named.filter((c) => !c.pass);
        const names = m.spec.fails.map((id) => `"${id}"`).join(' or ');
        if (named.length < m.spec.fails.length) problems.push(`${where}: the report lacks a check of ${names}:\n    ${summary}`);
        else if (failed.length === 0) problems.push(`${where} passed ${names} (mistake: ${m.spec.mistake}):\n    ${summary}`);
        else if (!failed.some((c) => new RegExp(m.spec.hint).test(c.hint))) problems.push(`${where} failed ${names} but no hint there matches /${m.spec.hint}/: ${failed.map((c) => c.hint).join(' | ')}\n    ${summary}`);
        return `${where}: ${answer.passed}/${answer.total}, failed ${answer.checks.filter((c) => !c.pass).map((c) => c.id).join(', ')} in ${seconds} s`;
      });
      for (const line of lines) console.log(`  ${line}`);
      console.log(`  ${mutants.length} mutants on ${driver} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      assert.deepEqual(problems, []);
    });
  });
}
