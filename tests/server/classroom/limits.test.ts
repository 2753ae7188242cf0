/**
 * What one student can make the server store and recompute, over HTTP against the real server
 * (real bwrap labs, real checkers): starts and checks past the per-minute limits get 429 with
 * Retry-After and a reason in words, before the lab runs anything; a checker swapped for a forged
 * one in the learner's own lab stores nothing of it, and a check report of nearly 1 MiB is cut to
 * what is kept, and the stored row says so; the page behind a dashboard
 * cell shows the checks a page at a time; and a burst of work reaches an open dashboard as at
 * most one push per DASHBOARD_PUSH_MS, not one per start.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { toLocalInput } from '../../../server/classroom/time.ts';
import { STORED_CHECKS_MAX_BYTES } from '../../../server/classroom/check-text.ts';
import { TEXT_LIMIT } from '../../../server/labs/check-report.ts';
import { COOKIES } from '../../../server/classroom/cookies.ts';
import { FormClient } from '../../support/form-client.ts';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import { checkAnswerSchema, type LabTicket } from '../../../wire/lab-api.ts';
import { holds } from '../../support/contract.ts';
import { ROOT } from '../../support/examples.ts';
import { declaredCheckIds } from '../../../src/catalog/exercise-manifest.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

const STARTS = 3;
const CHECKS = 3;
const PUSH_MS = 5000;

let server: TestServer;
let lab: LabTicket;
let unique = 0;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  server = await startTestServer({ TIME_ZONE: 'UTC', STARTS_PER_MINUTE: String(STARTS), CHECKS_PER_MINUTE: String(CHECKS), DASHBOARD_PUSH_MS: String(PUSH_MS) });
  lab = await createLab(server.base);
});
after(async () => {
  if (lab) await deleteLab(server.base, lab);
  await server?.stop();
});

const store = () => server.classroom.store;
const HOUR = 3_600_000;

/** An instructor with a class and an assignment of tcp-echo and udp-upper. */
async function classWithAssignment(): Promise<{ teacher: FormClient; classId: number; base: string }> {
  const teacher = new FormClient(server.base);
  assert.equal((await teacher.post('/account/signup/', { email: `limits-${process.pid}-${++unique}@example.org`, name: 'Ines', password: 'correct horse battery' })).status, 303);
  const made = await teacher.post('/classes/', { name: 'Limits' });
  const classId = Number(/^\/classes\/(\d+)\/$/.exec(made.location ?? '')?.[1]);
  const assignment = await teacher.post(`/classes/${classId}/`, {
    title: 'Week 1',
    exercises: ['tcp-echo', 'udp-upper'],
    opensAt: toLocalInput(Date.now() - HOUR, 'UTC'),
    dueAt: toLocalInput(Date.now() + 24 * HOUR, 'UTC'),
    latePolicy: 'marked-late',
    solutions: 'after-pass',
  });
  assert.equal(assignment.status, 303, assignment.text);
  return { teacher, classId, base: assignment.location! };
}

async function joinAs(classId: number, displayName: string): Promise<FormClient> {
  const student = new FormClient(server.base);
  const page = await student.post(`/join/${(await store().classById(classId))!.joinCode}/`, { displayName });
  assert.equal(page.status, 303, page.text);
  return student;
}

async function exercise(client: FormClient, path: string, body: object = { lang: 'ts' }) {
  const page = await client.request(`/api/labs/${lab.labId}/exercises/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: page.status, headers: page.headers, body: JSON.parse(page.text) as Record<string, unknown> };
}

function count(table: string): number {
  const db = new DatabaseSync(join(server.config.DATA_DIR, 'socketlab.db'), { readOnly: true });
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n);
  } finally {
    db.close();
  }
}

describe('per-student limits', () => {
  it('starts and checks past the per-minute limits get 429 with Retry-After and a reason in words; nothing more is stored', async () => {
    const { classId } = await classWithAssignment();
    const student = await joinAs(classId, 'Hasty');
    for (let i = 0; i < STARTS; i++) assert.equal((await exercise(student, 'tcp-echo/start')).status, 200);
    const starts = count('starts');
    const start = await exercise(student, 'tcp-echo/start');
    assert.equal(start.status, 429, JSON.stringify(start.body));
    assert.equal(start.body.reason, 'rate-limited');
    assert.match(String(start.body.error), new RegExp(`^You have started exercises ${STARTS} times in the last minute, the most this server takes from one student .*Wait \\d+ s, then try again\\.$`));
    const retry = Number(start.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${start.headers.get('retry-after')}`);
    assert.equal(count('starts'), starts, 'the refused start was not stored');

    // One real check, saved; checks of an exercise not started (409, quick) count as well.
    assert.equal((await exercise(student, 'tcp-echo/check')).status, 200);
    for (let i = 1; i < CHECKS; i++) assert.equal((await exercise(student, 'udp-upper/check')).status, 409);
    const submissions = count('submissions');
    const t0 = Date.now();
    const check = await exercise(student, 'tcp-echo/check');
    assert.equal(check.status, 429, JSON.stringify(check.body));
    assert.ok(Date.now() - t0 < 2000, 'refused before the checker runs');
    assert.match(String(check.body.error), new RegExp(`^You have run ${CHECKS} checks in the last minute, the most this server takes from one student .*Wait \\d+ s`));
    assert.ok(Number(check.headers.get('retry-after')) >= 1);
    assert.equal(count('submissions'), submissions, 'the refused check was not stored');

    // Another student, and a learner outside any class, are not held back by Hasty's count.
    const other = await joinAs(classId, 'Calm');
    assert.equal((await exercise(other, 'udp-upper/start')).status, 200);
    assert.equal((await exercise(new FormClient(server.base), 'tcp-echo/start')).status, 200);
  });
});

describe('what a check stores', () => {
  it('stores only the checker\'s real report when the learner swaps in a forged checker, and cuts a report of nearly 1 MiB to what is kept', async () => {
    const { teacher, classId, base } = await classWithAssignment();
    const student = await joinAs(classId, 'Forger');
    assert.equal((await exercise(student, 'tcp-echo/start')).status, 200);
    // A loop in a terminal tries to swap the checker for a forged one, where checkers were unpacked
    // (a folder of /tmp) and where they are now (root's, read-only): the server still reads the real one.
    const forged = `process.stdout.write(JSON.stringify({ checks: [{ id: 'forged', title: 'A forged check', pass: false, sent: 's', expected: 'e', got: 'z'.repeat(900000), hint: 'h' }], passed: 0, total: 1 }) + '\\n');\n`;
    const put = await fetch(`${server.base}/api/labs/${lab.labId}/files/forged.ts`, { method: 'PUT', headers: { Authorization: `Bearer ${lab.token}` }, body: forged });
    assert.equal(put.status, 204, await put.text());
    const term = await TermClient.open(server.base, lab, 'forger');
    await term.opened();
    term.type('while :; do for f in /tmp/socketlab-check.*/tcp-echo/check.ts /opt/socketlab/checker/tcp-echo/check.ts; do cp ~/forged.ts "$f.new" && mv -f "$f.new" "$f"; done 2>/dev/null; done\r');
    try {
      const check = await exercise(student, 'tcp-echo/check');
      assert.equal(check.status, 200, JSON.stringify(check.body).slice(0, 500));
      const answer = holds(checkAnswerSchema, check.body, 'the check');
      const declared = declaredCheckIds(readFileSync(join(ROOT, 'content/exercises/tcp-echo/check.ts'), 'utf8'), 'tcp-echo/check.ts');
      assert.deepEqual(answer.checks.map((c) => c.id), declared, 'the report the server read is the real checker\'s');
      assert.ok(answer.checks.every((c) => c.got.length <= TEXT_LIMIT));
    } finally {
      term.type('\x03');
      term.close();
    }
    // What the classroom keeps of a report, whatever reaches it: nearly 1 MiB, recorded directly.
    const learnerId = (await store().membersOf(classId))[0]!.learnerId;
    const answer = await server.classroom.recordCheck({ learnerId, exerciseId: 'tcp-echo', lang: 'c', passed: 0, total: 1, checks: [{ id: 'forged', title: 'A forged check', pass: false, sent: 's', expected: 'e', got: 'z'.repeat(900_000), hint: 'h' }] });
    const submissionId = answer.id;

    const db = new DatabaseSync(join(server.config.DATA_DIR, 'socketlab.db'), { readOnly: true });
    try {
      const { bytes } = db.prepare('SELECT length(CAST(checks AS BLOB)) AS bytes FROM submissions WHERE id = ?').get(submissionId)!;
      assert.ok(Number(bytes) <= STORED_CHECKS_MAX_BYTES, `${bytes} bytes of check lines stored`);
      const { cut_from } = db.prepare('SELECT cut_from FROM submissions WHERE id = ?').get(submissionId)!;
      assert.ok(Number(cut_from) > 900_000, `the row says it was cut from ${cut_from} bytes`);
    } finally {
      db.close();
    }
    const stored = (await store().submissionById(submissionId))!;
    assert.equal(stored.checks[0]!.title, 'A forged check');
    assert.match(stored.checks[0]!.got, /^z+… \[cut: 900000 characters in all\]$/);

    const memberId = (await store().membersOf(classId))[0]!.id;
    const cell = await teacher.get(`${base}cells/${memberId}/tcp-echo/`);
    assert.equal(cell.status, 200);
    assert.match(cell.text, /The checker's report was \d+ KiB; 16 KiB of it was kept/);
  });
});

describe('the page behind a dashboard cell', () => {
  it('shows 20 checks a page, newest first, with links to the others; a page that is not there is a clear 4xx', async () => {
    const { teacher, classId, base } = await classWithAssignment();
    await joinAs(classId, 'Busy');
    const member = (await store().membersOf(classId))[0]!;
    for (let i = 1; i <= 45; i++) {
      await store().addSubmission({ learnerId: member.learnerId, exerciseId: 'tcp-echo', lang: 'c', passed: 0, total: 2, checks: [{ id: 'n', title: `check number ${i}`, pass: false, sent: 'x', expected: 'y', got: 'z', hint: 'h' }] });
    }
    const cell = `${base}cells/${member.id}/tcp-echo/`;
    const titles = (text: string) => [...text.matchAll(/check number (\d+)/g)].map((m) => Number(m[1]));
    const first = await teacher.get(cell);
    assert.equal(first.status, 200);
    assert.deepEqual(titles(first.text), Array.from({ length: 20 }, (_, i) => 45 - i), 'the newest 20');
    assert.match(first.text, /Checks 1–20 of 45, newest first/);
    assert.match(first.text, /href="\?page=2" rel="next">Older checks/);
    const last = await teacher.get(`${cell}?page=3`);
    assert.deepEqual(titles(last.text), [5, 4, 3, 2, 1]);
    assert.match(last.text, /Checks 41–45 of 45/);
    assert.match(last.text, /href="\?page=2" rel="prev">Newer checks/);
    const beyond = await teacher.get(`${cell}?page=4`);
    assert.equal(beyond.status, 404);
    assert.match(beyond.text, /There is no page 4 of this student&#39;s checks: there are 3 pages/);
    const bad = await teacher.get(`${cell}?page=all`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /\?page must be a page number such as 2; got &#34;all&#34;/);
  });
});

describe('the live dashboard under a burst', () => {
  it(`gets a burst of starts by a class as at most one push per ${PUSH_MS} ms, each row in its latest state`, async () => {
    const { teacher, classId, base } = await classWithAssignment();
    const students = [];
    for (const name of ['Ann', 'Ben', 'Cat', 'Dan']) students.push(await joinAs(classId, name));

    const feed = await fetch(`${server.base}${base}events`, { headers: { Cookie: `${COOKIES.session}=${teacher.cookies.get(COOKIES.session)}` } });
    assert.equal(feed.status, 200);
    const reader = feed.body!.getReader();
    const decoder = new TextDecoder();
    const rows: { at: number; name: string; text: string }[] = [];
    const reading = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value);
        for (const [, data] of buffer.matchAll(/event: row\ndata: (.*)\n\n/g)) {
          const row = JSON.parse(data!) as { displayName: string; cells: { exerciseId: string; text: string }[] };
          rows.push({ at: Date.now(), name: row.displayName, text: row.cells.find((c) => c.exerciseId === 'tcp-echo')!.text });
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the feed subscribed and read the class

    // Every student starts tcp-echo as often as the limit lets them, all at once: 12 changes.
    const burstStarted = Date.now();
    const answers = await Promise.all(students.flatMap((s) => Array.from({ length: STARTS }, () => exercise(s, 'tcp-echo/start'))));
    const burstMs = Date.now() - burstStarted;
    assert.deepEqual(answers.map((a) => a.status), Array(students.length * STARTS).fill(200));
    assert.ok(burstMs < PUSH_MS - 1000, `the burst took ${burstMs} ms, too long to test coalescing`);
    await new Promise((resolve) => setTimeout(resolve, PUSH_MS + 1500));
    await reader.cancel();
    await reading.catch(() => {});

    // What changed first goes out at once; what changes after waits for the end of the interval
    // and goes in one push: two pushes, each with a student's row at most once (before the
    // debounce: a row per start, 12).
    const seen = `${rows.length} rows for ${answers.length} starts:\n${rows.map((r) => `${r.at - burstStarted} ms ${r.name}`).join('\n')}`;
    const first = rows.filter((r) => r.at - rows[0]!.at < 1000);
    const second = rows.filter((r) => r.at - rows[0]!.at >= PUSH_MS - 500);
    assert.equal(first.length + second.length, rows.length, `every row came at once or an interval later: ${seen}`);
    for (const push of [first, second]) assert.equal(new Set(push.map((r) => r.name)).size, push.length, `a student's row at most once a push: ${seen}`);
    assert.ok(second.length > 0, `what changed after the first push waited for the interval: ${seen}`);
    assert.deepEqual([...new Set(rows.map((r) => r.name))].sort(), ['Ann', 'Ben', 'Cat', 'Dan'], `every student's row arrived: ${seen}`);
    for (const row of rows) assert.equal(row.text, 'In progress · 0 checks', `${row.name}: ${row.text}`);
  });
});
