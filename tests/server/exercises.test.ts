/**
 * Exercises (content/exercises/<id>/): for every exercise and every language it is offered in,
 * through the public lab API of a real server with real bwrap labs:
 *
 * - the starter, put in the lab by `start`, fails at least one check, and every failing check says
 *   what it got and gives a hint;
 * - the reference solution, saved over it with the file API, passes every check, and then (only
 *   then) the solution route answers;
 * - a program that never answers (a server that accepts and stays silent, or one that never even
 *   listens) makes the checker finish within its deadline with failures, not hang.
 *
 * Plus: the manifests and frontmatter agree, the C and Go files pass -Werror / go vet on the host,
 * the routes answer bad input with clear 4xx errors, and no solution line reaches the built site.
 * Runs fully on bwrap; on Docker too (when an engine answers, see tests/support/drivers.ts), every
 * solution is checked, but the slow failure paths (starters, silent programs) run once, on bwrap:
 * the checkers are the same programs, and a second full pass would double the file's time.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLab, deleteLab } from '../support/lab-client.ts';
import { ROOT, programEnv } from '../support/examples.ts';
import { run } from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { testDrivers } from '../support/drivers.ts';
import { declaredCheckIds, EXERCISES_DIR, exerciseFiles, exerciseIds, loadExercise, type ExerciseDef } from '../../src/catalog/exercise-manifest.ts';
import { readStatement } from '../../src/catalog/exercise-statement.ts';
import { TOPICS, type Lang } from '../../src/catalog/topics.ts';
import type { CheckAnswer, LabTicket } from '../../wire/lab-api.ts';

const exercises = exerciseIds().map((id) => loadExercise(id));

/** The checks `def`'s check.ts declares (`id: '...'`): the only ones the server accepts in a report. */
function declaredIds(def: ExerciseDef): string[] {
  return declaredCheckIds(readFileSync(join(def.dir, 'check.ts'), 'utf8'), `${def.id}/check.ts`);
}

/** Runs `jobs` with at most `limit` at once. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

describe('exercise content', () => {
  it('has at least two exercises per core topic, easy to hard, and manifests that match the statements', () => {
    const byTopic = new Map<string, number[]>();
    for (const def of exercises) {
      const statement = readStatement(EXERCISES_DIR, def.id);
      assert.deepEqual([...statement.languages].sort(), [...def.languages].sort(), `${def.id}: the frontmatter's languages and exercise.json's languages differ`);
      byTopic.set(statement.topic, [...(byTopic.get(statement.topic) ?? []), statement.difficulty]);
      assert.ok(existsSync(join(def.dir, 'check.ts')), `${def.id} has no check.ts`);
      for (const kind of ['starter', 'solution'] as const) {
        const folders = readdirSync(join(def.dir, kind)).sort();
        assert.deepEqual(folders, [...def.languages].sort(), `${def.id}/${kind} holds exactly the offered languages`);
        for (const lang of def.languages) assert.ok(exerciseFiles(def, kind, lang).length > 0, `${def.id}/${kind}/${lang} is empty`);
      }
    }
    for (const topic of TOPICS) {
      const levels = byTopic.get(topic) ?? [];
      assert.ok(levels.length >= 2, `topic ${topic} has ${levels.length} exercise(s); it needs at least 2`);
      assert.ok(Math.max(...levels) > Math.min(...levels), `topic ${topic}'s exercises are all of difficulty ${levels[0]}: go from easy to hard`);
    }
  });

  it('compiles every C file with -Wall -Wextra -Werror and passes go vet on every Go file (starters and solutions)', async () => {
    const jobs: (() => Promise<string | null>)[] = [];
    for (const def of exercises) {
      for (const lang of def.languages.filter((l) => l !== 'ts')) {
        const entry = def.manifest.languages[lang]!;
        for (const kind of ['starter', 'solution'] as const) {
          const dir = join(def.dir, kind, lang);
          for (const command of [...entry.check, ...entry.build]) {
            // Build into a temporary file: the content folder stays clean.
            const tmp = command.replace(/-o (\S+)/, `-o /tmp/sl-exercise-${process.pid}-${def.id}-${kind}-${lang}-$1`);
            jobs.push(async () => {
              const result = await run(tmp, { cwd: dir, env: { ...programEnv, GOFLAGS: '-buildvcs=false' }, timeoutMs: 120_000 });
              return result.code === 0 && !/warning/i.test(result.stderr) ? null : `${def.id}/${kind}/${lang}: ${command}: ${result.stderr}${result.stdout}`;
            });
          }
        }
      }
    }
    assert.deepEqual((await pool(jobs, 2)).filter(Boolean), []);
  });
});

interface Answer<T = unknown> {
  status: number;
  body: T;
  ms: number;
}

describe('exercises in labs (bwrap)', () => {
  let server: TestServer;
  const labs = new Map<string, LabTicket>();

  async function call<T = Record<string, unknown>>(lab: LabTicket, method: string, route: string, body?: unknown, token = lab.token): Promise<Answer<T>> {
    const started = Date.now();
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as T, ms: Date.now() - started };
  }

  async function save(lab: LabTicket, path: string, content: Uint8Array): Promise<void> {
    const res = await fetch(`${server.base}/api/labs/${lab.labId}/files/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${lab.token}` }, body: content as Uint8Array<ArrayBuffer> });
    assert.equal(res.status, 204, `saving ~/${path}: ${await res.text()}`);
  }

  function describeFailures(report: CheckAnswer): string {
    return report.checks.filter((c) => !c.pass).map((c) => `  ${c.id}: sent ${c.sent}; expected ${c.expected}; got ${c.got}`).join('\n');
  }

  before(async () => {
    server = await startTestServer({ LAB_IDLE_SECONDS: '900' });
    labs.set('silent', await createLab(server.base));
  });
  after(async () => {
    await server?.stop();
  });

  it('answers bad requests with clear errors, and keeps the solution locked until a pass', async () => {
    const lab = labs.get('silent')!;
    const unknown = await call<{ error: string; reason: string }>(lab, 'POST', 'exercises/no-such-thing/check', { lang: 'c' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.reason, 'no-exercise');
    assert.match(unknown.body.error, /tcp-echo/, 'the message lists the exercises there are');

    const badLang = await call<{ error: string; reason: string }>(lab, 'POST', 'exercises/tcp-echo/start', { lang: 'rust' });
    assert.equal(badLang.status, 400);
    assert.equal(badLang.body.reason, 'bad-lang');
    assert.match(badLang.body.error, /"c", "go", "ts"/);
    const kv = exercises.find((e) => e.languages.length < 3);
    if (kv) {
      const missing = (['c', 'go', 'ts'] as const).find((l) => !kv.languages.includes(l))!;
      const notOffered = await call<{ error: string }>(lab, 'POST', `exercises/${kv.id}/start`, { lang: missing });
      assert.equal(notOffered.status, 400);
      assert.match(notOffered.body.error, new RegExp(`"${kv.id}" is offered in ${kv.languages.map((l) => `"${l}"`).join(', ')}`));
    }
    const noLang = await call<{ error: string }>(lab, 'POST', 'exercises/tcp-echo/check', {});
    assert.equal(noLang.status, 400);
    assert.match(noLang.body.error, /No "lang" was given/);
    const badBody = await call<{ reason: string }>(lab, 'POST', 'exercises/tcp-echo/check', 'lang=c');
    assert.equal(badBody.status, 400);
    assert.equal(badBody.body.reason, 'bad-request');
    const notStarted = await call<{ error: string; reason: string }>(lab, 'POST', 'exercises/tcp-frames/check', { lang: 'go' });
    assert.equal(notStarted.status, 409);
    assert.equal(notStarted.body.reason, 'not-started');
    const wrongToken = await call<{ reason: string }>(lab, 'POST', 'exercises/tcp-echo/check', { lang: 'c' }, 'not-the-token');
    assert.equal(wrongToken.status, 404);
    assert.equal(wrongToken.body.reason, 'no-lab');
    const method = await call(lab, 'GET', 'exercises/tcp-echo/check');
    assert.equal(method.status, 405);
    const locked = await call<{ reason: string; error: string }>(lab, 'GET', 'exercises/tcp-echo/solution/c');
    assert.equal(locked.status, 403);
    assert.equal(locked.body.reason, 'locked');
    assert.match(locked.body.error, /unlocks after a check/);
  });

  it('every starter fails with helpful messages and every solution passes, in every language offered', async () => {
    const jobs: (() => Promise<string>)[] = [];
    for (const def of exercises) {
      for (const lang of def.languages) {
        jobs.push(async () => {
          // A lab of its own: one lab per language for every exercise filled its 64 MiB home with
          // binaries and Go build cache ("no space left on device") once the course had 23.
          const lab = await createLab(server.base);
          try {
            const started = await call<{ files: string[]; created: string[] }>(lab, 'POST', `exercises/${def.id}/start`, { lang });
            assert.equal(started.status, 200, `${def.id}/${lang} start: ${JSON.stringify(started.body)}`);
            const starterFiles = exerciseFiles(def, 'starter', lang);
            assert.deepEqual(started.body.created, starterFiles.map((f) => `exercises/${def.id}/${lang}/${f.path}`));
            // Starting again keeps the learner's files.
            const again = await call<{ created: string[] }>(lab, 'POST', `exercises/${def.id}/start`, { lang });
            assert.deepEqual(again.body.created, []);

            const starter = await call<CheckAnswer>(lab, 'POST', `exercises/${def.id}/check`, { lang });
            assert.equal(starter.status, 200, `${def.id}/${lang} starter check: ${JSON.stringify(starter.body)}`);
            const r = starter.body;
            assert.equal(r.total, r.checks.length);
            assert.ok(r.total >= 3, `${def.id} has only ${r.total} checks`);
            assert.ok(r.passed < r.total, `${def.id}/${lang}: the starter passes every check`);
            for (const c of r.checks.filter((c) => !c.pass)) {
              assert.ok(c.hint.trim().length > 10, `${def.id}/${lang} starter, check ${c.id}: no hint`);
              assert.ok(c.got.trim().length > 0, `${def.id}/${lang} starter, check ${c.id}: no "got"`);
              assert.ok(c.expected.trim().length > 0 && c.sent.trim().length > 0, `${def.id}/${lang} starter, check ${c.id}: no "sent" or "expected"`);
            }
            assert.equal(r.unlocked, false);
            if (lang === def.languages[0]) {
              const locked = await call(lab, 'GET', `exercises/${def.id}/solution/${lang}`);
              assert.equal(locked.status, 403, `${def.id}: the solution answered before a pass`);
            }

            for (const f of exerciseFiles(def, 'solution', lang)) await save(lab, `exercises/${def.id}/${lang}/${f.path}`, f.content);
            const solution = await call<CheckAnswer>(lab, 'POST', `exercises/${def.id}/check`, { lang });
            assert.equal(solution.status, 200, `${def.id}/${lang} solution check: ${JSON.stringify(solution.body)}`);
            assert.equal(solution.body.passed, solution.body.total, `${def.id}/${lang}: the reference solution fails:\n${describeFailures(solution.body)}`);
            assert.deepEqual(solution.body.checks.map((c) => c.id), declaredIds(def), `${def.id}: the checker's report lists other checks than its check.ts declares`);
            assert.equal(solution.body.unlocked, true);
            assert.ok(solution.body.checks.every((c) => c.hint === ''), 'a passing check has no hint');

            const unlocked = await call<{ files: { path: string; content: string }[] }>(lab, 'GET', `exercises/${def.id}/solution/${lang}`);
            assert.equal(unlocked.status, 200);
            assert.deepEqual(
              unlocked.body.files.map((f) => f.path),
              exerciseFiles(def, 'solution', lang).map((f) => f.path),
            );
            assert.equal(unlocked.body.files[0]!.content, exerciseFiles(def, 'solution', lang)[0]!.content.toString());
            return `${def.id}/${lang}: starter ${r.passed}/${r.total} in ${(starter.ms / 1000).toFixed(1)} s, solution ${solution.body.passed}/${solution.body.total} in ${(solution.ms / 1000).toFixed(1)} s`;
          } finally {
            await deleteLab(server.base, lab).catch(() => {});
          }
        });
      }
    }
    const lines = await pool(jobs, 4);
    for (const line of lines) console.log(`  ${line}`);
  });

  it('a program that never answers makes every checker finish within its deadline, with failures', async () => {
    const lab = labs.get('silent')!;
    const jobs = exercises.map((def) => async () => {
      // A TypeScript program run by the exercise's own run command (node <file> <address>); a C
      // one where the exercise has no TypeScript variant (Node lacks the API it is about).
      const lang: Lang = def.languages.includes('ts') ? 'ts' : 'c';
      assert.ok(def.languages.includes(lang), `${def.id}: the silent-program test needs the TypeScript or the C variant`);
      const started = await call<{ files: string[] }>(lab, 'POST', `exercises/${def.id}/start`, { lang });
      assert.equal(started.status, 200);
      const file = started.body.files[0]!;
      const topic = readStatement(EXERCISES_DIR, def.id).topic;
      const run = def.manifest.languages[lang]!.run;
      // A server that accepts and never says a word, where the exercise has one; else a program
      // that does nothing at all (it never listens, never sends, never reads its input).
      const listen =
        (topic === 'tcp' || topic === 'multiplexing') && run.includes('{port}') ? "Number(process.argv[2]), '127.0.0.1'"
        : run.includes('{name}') ? "'\\0' + process.argv[2]"
        : topic === 'uds-stream' || topic === 'uds-power' || topic === 'http-uds' ? 'process.argv[2]'
        : null;
      let silent = listen ? `import { createServer } from 'node:net';\ncreateServer(() => {}).listen(${listen});\n` : 'setInterval(() => {}, 1 << 30);\n';
      if (lang === 'c') {
        const abstract = run.includes('{name}');
        assert.ok(abstract || listen === 'process.argv[2]', `${def.id}: the silent C program listens on a socket path or an abstract name only; add the address kind this exercise uses`);
        // Listens (on the path, or on the abstract name: a NUL byte first) and never accepts:
        // clients connect (into the backlog) and hear nothing.
        const bind = abstract
          ? 'strncpy(a.sun_path + 1, argv[1], sizeof a.sun_path - 2);\n    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(argv[1]));'
          : 'strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);\n    socklen_t len = sizeof a;';
        silent = `#include <stddef.h>\n#include <string.h>\n#include <sys/socket.h>\n#include <sys/un.h>\n#include <unistd.h>\nint main(int argc, char **argv) {\n    struct sockaddr_un a = {.sun_family = AF_UNIX};\n    if (argc < 2) return 2;\n    ${bind}\n    int s = socket(AF_UNIX, SOCK_STREAM, 0);\n    if (bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 64) < 0) return 1;\n    for (;;) pause();\n}\n`;
      }
      await save(lab, file, Buffer.from(`// never answers\n${silent}`));
      const answer = await call<CheckAnswer>(lab, 'POST', `exercises/${def.id}/check`, { lang });
      const deadline = def.manifest.deadlineSeconds * 1000;
      assert.equal(answer.status, 200, `${def.id}: ${JSON.stringify(answer.body)}`);
      assert.ok(answer.ms < deadline + 3000, `${def.id}: the check took ${answer.ms} ms; its deadline is ${deadline} ms`);
      assert.equal(answer.body.total, answer.body.checks.length);
      assert.ok(answer.body.passed < answer.body.total, `${def.id}: a silent program passed every check`);
      for (const c of answer.body.checks.filter((c) => !c.pass)) assert.ok(c.hint && c.got, `${def.id}/${c.id}: a failure with no hint or no "got"`);
      return `${def.id}: ${answer.body.passed}/${answer.body.total} in ${(answer.ms / 1000).toFixed(1)} s (deadline ${deadline / 1000} s)`;
    });
    for (const line of await pool(jobs, 3)) console.log(`  ${line}`);
  });
});

// The other driver(s) run the same Sandbox.exec: there, every solution passes and unlocks (the
// starters and silent programs above prove the checkers' failure paths once, on bwrap).
for (const driver of testDrivers().filter((d) => d !== 'bwrap')) {
  describe(`exercise solutions in labs (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '900' });
    });
    after(async () => {
      await server?.stop();
    });

    it('every solution passes every check, in every language offered', async () => {
      // A lab per exercise and language: one Go lab for all of them filled its 64 MiB home with
      // binaries and build cache ("no space left on device") once the course had 23 exercises.
      const jobs = exercises.flatMap((def) =>
        def.languages.map((lang) => async () => {
          const lab = await createLab(server.base);
          try {
            return await checkSolution(def, lang, lab);
          } finally {
            await deleteLab(server.base, lab).catch(() => {});
          }
        }),
      );
      for (const line of await pool(jobs, 4)) console.log(`  ${line}`);
    });

    async function checkSolution(def: ExerciseDef, lang: Lang, lab: LabTicket): Promise<string> {
      const headers = { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' };
      const api = `${server.base}/api/labs/${lab.labId}`;
      assert.equal((await fetch(`${api}/exercises/${def.id}/start`, { method: 'POST', headers, body: JSON.stringify({ lang }) })).status, 200);
      for (const f of exerciseFiles(def, 'solution', lang)) {
        const saved = await fetch(`${api}/files/exercises/${def.id}/${lang}/${f.path}`, { method: 'PUT', headers: { Authorization: headers.Authorization }, body: f.content as Uint8Array<ArrayBuffer> });
        assert.equal(saved.status, 204);
      }
      const started = Date.now();
      const res = await fetch(`${api}/exercises/${def.id}/check`, { method: 'POST', headers, body: JSON.stringify({ lang }) });
      const report = (await res.json()) as CheckAnswer;
      assert.equal(res.status, 200, JSON.stringify(report));
      const failures = report.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.got}`);
      assert.deepEqual(failures, [], `${def.id}/${lang} on ${driver}`);
      assert.deepEqual(report.checks.map((c) => c.id), declaredIds(def), `${def.id}: the checker's report lists other checks than its check.ts declares`);
      assert.equal(report.unlocked, true);
      return `${def.id}/${lang}: ${report.passed}/${report.total} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    }
  });
}

describe('the built site', () => {
  const client = join(ROOT, 'dist/client');

  it('has a page per exercise and never ships a line of a solution', () => {
    assert.ok(existsSync(client), 'no dist/client: run `npm run build` first');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.(html|js|mjs|json|css|txt|xml|md|map)$/.test(name)) files.push(full);
      }
    };
    walk(client);
    // HTML is read as a person sees it (tags out, entities decoded): highlighted code is split into spans.
    const decode = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
    const text = files.map((f) => (f.endsWith('.html') ? decode(readFileSync(f, 'utf8')) : readFileSync(f, 'utf8'))).join('\n');
    // What the lesson pages show anyway (the course's examples and lessons) is not a leak.
    const published: string[] = [];
    const collect = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) collect(full);
        else published.push(readFileSync(full, 'utf8'));
      }
    };
    collect(join(ROOT, 'content/examples'));
    collect(join(ROOT, 'content/lessons'));
    const shown = published.join('\n');
    for (const def of exercises) {
      assert.ok(existsSync(join(client, 'exercises', def.id, 'index.html')), `no page for ${def.id}`);
      for (const lang of def.languages) {
        const starter = new Set(exerciseFiles(def, 'starter', lang).flatMap((f) => f.content.toString().split('\n').map((l) => l.trim())));
        // Lines only the solution has, long enough to be distinctive.
        const distinctive = exerciseFiles(def, 'solution', lang)
          .flatMap((f) => f.content.toString().split('\n').map((l) => l.trim()))
          .filter((l) => l.length > 18 && !starter.has(l) && !shown.includes(l) && !l.startsWith('//') && !l.startsWith('*') && !l.startsWith('/*'));
        assert.ok(distinctive.length > 0, `${def.id}/${lang}: no distinctive solution line to look for`);
        for (const line of distinctive) assert.ok(!text.includes(line), `${def.id}/${lang}: a line of the solution is in dist/client: ${line}`);
      }
    }
    assert.ok(EXERCISES_DIR.endsWith('content/exercises'));
  });
});
