/**
 * The classroom over HTTP against the real server (its Astro pages, its SQLite database, real bwrap
 * labs for the checks): accounts and their security (wrong password, rate limit, CSRF, expired
 * sessions, another instructor's class), bad input refused with a clear 4xx and nothing changed,
 * joining, checks recorded for students and not for anonymous learners, the live event stream,
 * released solutions, the CSV and the snapshot at the deadline.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { hashToken, newToken } from '../../../server/classroom/tokens.ts';
import { toLocalInput } from '../../../server/classroom/time.ts';
import { COOKIES } from '../../../server/classroom/cookies.ts';
import { FormClient } from '../../support/form-client.ts';
import { createLab, deleteLab } from '../../support/lab-client.ts';
import { checkAnswerSchema, dashboardRowSchema, learnerStatusSchema, solutionSchema, type LabTicket } from '../../../wire/lab-api.ts';
import { holds } from '../../support/contract.ts';
import { ROOT } from '../../support/examples.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

let server: TestServer;
let unique = 0;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  // Every instructor of this file signs up from 127.0.0.1: past the default SIGNUPS_PER_HOUR.
  server = await startTestServer({ TIME_ZONE: 'UTC', SIGNUPS_PER_HOUR: '1000' });
});
after(async () => {
  await server?.stop();
});

const store = () => server.classroom.store;
const PASSWORD = 'correct horse battery';

async function instructor(name = 'Ines'): Promise<FormClient> {
  const client = new FormClient(server.base);
  const page = await client.post('/account/signup/', { email: `${name.toLowerCase()}-${process.pid}-${++unique}@example.org`, name, password: PASSWORD });
  assert.equal(page.status, 303, page.text);
  assert.equal(page.location, '/classes/');
  return client;
}

async function makeClass(client: FormClient, name = 'Networks 101'): Promise<number> {
  const page = await client.post('/classes/', { name });
  assert.equal(page.status, 303, page.text);
  return Number(/^\/classes\/(\d+)\/$/.exec(page.location ?? '')?.[1]);
}

const HOUR = 3_600_000;
async function makeAssignment(client: FormClient, classId: number, fields: Partial<Record<string, string | string[]>> = {}): Promise<number> {
  const page = await client.post(`/classes/${classId}/`, {
    title: 'Week 1',
    exercises: ['tcp-echo', 'udp-upper'],
    opensAt: toLocalInput(Date.now() - HOUR, 'UTC'),
    dueAt: toLocalInput(Date.now() + 24 * HOUR, 'UTC'),
    latePolicy: 'marked-late',
    solutions: 'after-pass',
    ...(fields as Record<string, string | string[]>),
  });
  assert.equal(page.status, 303, page.text);
  return Number(/assignments\/(\d+)\/$/.exec(page.location ?? '')?.[1]);
}

async function joinAs(classId: number, displayName: string): Promise<FormClient> {
  const code = (await store().classById(classId))!.joinCode;
  const student = new FormClient(server.base);
  const page = await student.post(`/join/${code}/`, { displayName });
  assert.equal(page.status, 303, page.text);
  assert.equal(page.location, '/my/?joined=1');
  return student;
}

/** Rows per table, read through a second connection to the server's database file. */
async function counts() {
  const db = new DatabaseSync(join(server.config.DATA_DIR, 'socketlab.db'), { readOnly: true });
  try {
    const n = (table: string) => Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n);
    return { users: n('users'), classes: n('classes'), members: n('members'), assignments: n('assignments'), extensions: n('extensions'), submissions: n('submissions'), sessions: n('sessions') };
  } finally {
    db.close();
  }
}

/** POSTs to a lab's exercise route as `client` (its cookies say who the learner is). */
async function exerciseCall(client: FormClient, lab: LabTicket, path: string, body?: object) {
  const page = await client.request(`/api/labs/${lab.labId}/exercises/${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  return { status: page.status, body: JSON.parse(page.text) as Record<string, unknown> };
}

describe('instructor accounts', () => {
  it('signing up sets an HttpOnly SameSite session cookie and signs in', async () => {
    const client = await instructor();
    const cookie = client.setCookies.find((c) => c.startsWith(`${COOKIES.session}=`));
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//i);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http on localhost: not Secure (PUBLIC_URL=https://... makes it so)');
    const page = await client.get('/classes/');
    assert.equal(page.status, 200);
    assert.match(page.text, /Your classes/);
  });

  it('refuses a second account for the same email in another case, and bad fields, naming each; nothing is stored', async () => {
    const first = new FormClient(server.base);
    const email = `dup-${process.pid}@example.org`;
    assert.equal((await first.post('/account/signup/', { email, name: 'A', password: PASSWORD })).status, 303);
    const before = await counts();
    const again = await new FormClient(server.base).post('/account/signup/', { email: email.toUpperCase(), name: 'B', password: PASSWORD });
    assert.equal(again.status, 409);
    assert.match(again.text, /An account with this email exists already/);
    const bad = await new FormClient(server.base).post('/account/signup/', { email: 'not-an-address', name: 'x'.repeat(81), password: 'short' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Email does not look like an address/);
    assert.match(bad.text, /Name is too long: at most 80 characters/);
    assert.match(bad.text, /Password is too short: use at least 10 characters/);
    assert.deepEqual(await counts(), before);
  });

  it('a wrong password gets 401 and no session; an unknown email gets the same answer', async () => {
    const client = await instructor('Wanda');
    const email = (await store().userById((await store().sessionByTokenHash(hashToken(client.cookies.get(COOKIES.session)!)))!.userId))!.email;
    for (const who of [email, `nobody-${process.pid}@example.org`]) {
      const stranger = new FormClient(server.base);
      const page = await stranger.post('/account/signin/', { email: who, password: 'wrong password!' });
      assert.equal(page.status, 401);
      assert.match(page.text, /The email or the password is wrong/);
      assert.equal(stranger.cookies.get(COOKIES.session), undefined);
    }
  });

  it('rate-limits sign-in: after 5 failures even the right password gets 429 with Retry-After', async () => {
    const email = `target-${process.pid}@example.org`;
    assert.equal((await new FormClient(server.base).post('/account/signup/', { email, name: 'T', password: PASSWORD })).status, 303);
    const attacker = new FormClient(server.base);
    for (let i = 0; i < 5; i++) assert.equal((await attacker.post('/account/signin/', { email, password: `guess number ${i}` })).status, 401);
    const page = await new FormClient(server.base).post('/account/signin/', { email, password: PASSWORD });
    assert.equal(page.status, 429);
    assert.match(page.text, /Too many failed sign-ins; try again in \d+ minute/);
    assert.ok(Number(page.headers.get('retry-after')) > 60);
  });

  it('an expired session sends the instructor to sign in (and back afterwards); signing out ends the session on the server', async () => {
    const user = await store().createUser({ email: `expired-${process.pid}@example.org`, name: 'E', passwordHash: 'x' });
    const token = newToken();
    await store().createSession({ tokenHash: hashToken(token), userId: user.id, csrf: newToken(), createdAt: Date.now() - 2 * HOUR, expiresAt: Date.now() - 1 });
    const client = new FormClient(server.base);
    client.cookies.set(COOKIES.session, token);
    const page = await client.get('/classes/');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/account/signin/?next=%2Fclasses%2F');
    assert.equal(client.cookies.get(COOKIES.session), undefined, 'the dead cookie is cleared');
    assert.equal(await store().sessionByTokenHash(hashToken(token)), null, 'and the session deleted');

    const live = await instructor('Sol');
    const stolen = live.cookies.get(COOKIES.session)!;
    const out = await live.post('/account/signout/', {}, { from: '/classes/' });
    assert.equal(out.status, 303);
    const replay = new FormClient(server.base);
    replay.cookies.set(COOKIES.session, stolen);
    assert.equal((await replay.get('/classes/')).status, 303, 'the old cookie no longer signs anyone in');
  });

  it('sign-in returns to a path on this site only', async () => {
    const email = `next-${process.pid}@example.org`;
    assert.equal((await new FormClient(server.base).post('/account/signup/', { email, name: 'N', password: PASSWORD })).status, 303);
    const here = await new FormClient(server.base).post('/account/signin/?next=%2Fmy%2F', { email, password: PASSWORD, next: '/my/' });
    assert.equal(here.location, '/my/');
    const away = await new FormClient(server.base).post('/account/signin/', { email, password: PASSWORD, next: '//evil.example/' });
    assert.equal(away.location, '/classes/');
  });
});

describe('CSRF', () => {
  it('a form without its token, or with another session\'s, gets 403 and changes nothing', async () => {
    const client = await instructor();
    const other = await instructor('Other');
    const otherToken = (await other.get('/classes/')).csrf;
    const before = await counts();
    for (const csrf of [null, 'made-up', otherToken]) {
      const page = await client.post('/classes/', { name: 'Sneaky' }, { csrf });
      assert.equal(page.status, 403, `csrf ${csrf}`);
      assert.match(page.text, /CSRF token is missing or wrong/);
    }
    const signup = await new FormClient(server.base).post('/account/signup/', { email: `c-${process.pid}@example.org`, name: 'C', password: PASSWORD }, { csrf: null });
    assert.equal(signup.status, 403, 'forms before sign-in are protected too');
    assert.deepEqual(await counts(), before);
  });
});

describe('classes belong to their instructor', () => {
  it('another instructor gets 404 for every page, feed and form of a class that is not theirs, and nothing changes', async () => {
    const owner = await instructor('Owner');
    const classId = await makeClass(owner);
    const assignmentId = await makeAssignment(owner, classId);
    const member = await store().addMember({ classId, learnerId: (await store().createLearner({ tokenHash: hashToken(newToken()), userId: null })).id, displayName: 'S' });
    const intruder = await instructor('Intruder');
    const base = `/classes/${classId}/assignments/${assignmentId}/`;
    for (const path of [`/classes/${classId}/`, base, `${base}results.csv`, `${base}events`, `${base}cells/${member.id}/tcp-echo/`]) {
      const page = await intruder.get(path);
      assert.equal(page.status, 404, path);
      assert.doesNotMatch(page.text, /Networks 101|Week 1/, `${path} tells nothing about the class`);
    }
    const before = await counts();
    const csrf = (await intruder.get('/classes/')).csrf;
    assert.equal((await intruder.post(`/classes/${classId}/`, { title: 'Mine now', exercises: ['tcp-echo'], opensAt: '2026-01-01T00:00', dueAt: '2026-02-01T00:00', latePolicy: 'closed', solutions: 'always' }, { csrf })).status, 404);
    assert.equal((await intruder.post(base, { action: 'extension', memberId: String(member.id), dueAt: '2030-01-01T00:00' }, { csrf })).status, 404);
    assert.deepEqual(await counts(), before);
    assert.deepEqual(await store().extensionsOf(assignmentId), []);
    assert.equal((await store().assignmentById(assignmentId))!.title, 'Week 1');
  });

  it('unknown and malformed ids are 404, signed out pages go to sign-in', async () => {
    const client = await instructor();
    for (const path of ['/classes/999999/', '/classes/abc/', '/classes/1e3/', '/classes/999999/assignments/1/results.csv']) assert.equal((await client.get(path)).status, 404, path);
    const anonymous = new FormClient(server.base);
    assert.equal((await anonymous.get('/classes/')).status, 303);
    assert.equal((await anonymous.get('/classes/1/assignments/1/events')).status, 401);
  });
});

describe('the instructor area', () => {
  it('ships no script but the dashboard\'s live updates', async () => {
    const client = await instructor();
    const classId = await makeClass(client);
    const assignmentId = await makeAssignment(client, classId);
    for (const path of ['/classes/', `/classes/${classId}/`, '/account/signin/', '/account/signup/']) {
      const page = await (path.startsWith('/account/') ? new FormClient(server.base) : client).get(path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.text, /<script/i, `${path} has no script`);
    }
    const dashboard = await client.get(`/classes/${classId}/assignments/${assignmentId}/`);
    const scripts = [...dashboard.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1, 'one script on the dashboard');
    const src = /src="([^"]+)"/.exec(scripts[0]![1]!)?.[1];
    const js = src ? (await client.get(src)).text : scripts[0]![2]!; // Astro inlines a script this small
    assert.ok(js.length < 4096, `the dashboard's script is small (${js.length} bytes)`);
    assert.match(js, /EventSource/);
  });
});

describe('bad input', () => {
  it('stores SQL- and HTML-shaped text as plain text and shows it escaped', async () => {
    const client = await instructor();
    const name = `Robert'); DROP TABLE classes;-- <script>alert(1)</script>`;
    const classId = await makeClass(client, name);
    assert.equal((await store().classById(classId))!.name, name);
    const page = await client.get(`/classes/${classId}/`);
    assert.ok(page.text.includes('Robert&#39;); DROP TABLE classes;-- &lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped in the page');
    assert.ok(!page.text.includes('<script>alert(1)'), 'never as markup');
    assert.ok((await counts()).classes >= 1, 'the table is still there');
  });

  it('oversized fields, unknown exercises, impossible dates and huge bodies get a clear 4xx and change nothing', async () => {
    const client = await instructor();
    const classId = await makeClass(client);
    const before = await counts();
    const long = await client.post('/classes/', { name: 'x'.repeat(101) });
    assert.equal(long.status, 400);
    assert.match(long.text, /Class name is too long: at most 100 characters/);
    const wrong = await client.post(`/classes/${classId}/`, { title: 'T', exercises: ['tcp-echo', 'no-such-exercise'], opensAt: '2026-13-40T99:00', dueAt: 'tomorrow', latePolicy: 'whenever', solutions: 'always' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Unknown exercise &quot;no-such-exercise&quot;; choose from the list/);
    assert.match(wrong.text, /Opens must be a date and time such as 2026-12-01T09:00/);
    assert.match(wrong.text, /Due must be a date and time/);
    assert.match(wrong.text, /Late work must be one of: closed, marked-late/);
    const backwards = await client.post(`/classes/${classId}/`, { title: 'T', exercises: ['tcp-echo'], opensAt: '2026-12-02T09:00', dueAt: '2026-12-01T09:00', latePolicy: 'closed', solutions: 'always' });
    assert.equal(backwards.status, 400);
    assert.match(backwards.text, /Due must be after Opens/);
    const none = await client.post(`/classes/${classId}/`, { title: 'T', opensAt: '2026-12-01T09:00', dueAt: '2026-12-02T09:00', latePolicy: 'closed', solutions: 'always' });
    assert.match(none.text, /Choose at least one exercise/);
    const huge = await client.post('/classes/', { name: 'x'.repeat(70 * 1024) });
    assert.equal(huge.status, 413);
    assert.match(huge.text, /larger than the server accepts/);
    assert.deepEqual(await counts(), before);
  });
});

describe('students', () => {
  it('join with the link and a name (a device cookie keeps them in); a wrong code is 404; joining twice keeps one membership', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher, 'Sockets');
    const code = (await store().classById(classId))!.joinCode;
    assert.equal((await new FormClient(server.base).get('/join/ZZZZZZZZ/')).status, 404);
    const typed = await new FormClient(server.base).get(`/join/?code=${code.toLowerCase().slice(0, 4)}-${code.toLowerCase().slice(4)}`);
    assert.equal(typed.location, `/join/${code}/`, 'a typed code in any case, with its dash, finds the class');

    const student = await joinAs(classId, 'Pat');
    const device = student.setCookies.find((c) => c.startsWith(`${COOKIES.learner}=`));
    assert.ok(device);
    assert.match(device, /HttpOnly/i);
    assert.match(device, /Max-Age=31536000/i);
    const my = await student.get('/my/');
    assert.match(my.text, /Sockets/);
    assert.match(my.text, /as Pat/);
    const again = await student.post(`/join/${code}/`, { displayName: 'Pat again' }, { csrf: student.cookies.get(COOKIES.csrf)! });
    assert.equal(again.status, 303);
    const members = await store().membersOf(classId);
    assert.deepEqual(members.map((m) => m.displayName), ['Pat'], 'one membership, its name unchanged');
    assert.match((await student.get(`/join/${code}/`)).text, /You are in this class as <strong>Pat<\/strong>/);
  });

  it('can join with an account instead, and are then in the class on every device they sign in on', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher, 'Accounts welcome');
    const code = (await store().classById(classId))!.joinCode;
    const email = `student-${process.pid}-${++unique}@example.org`;
    const laptop = new FormClient(server.base);
    assert.equal((await laptop.post('/account/signup/', { email, name: 'Quinn', password: PASSWORD })).status, 303);
    const form = await laptop.get(`/join/${code}/`);
    assert.match(form.text, /You join with your account/);
    assert.match(form.text, /value="Quinn"/, 'the account\'s name is offered');
    assert.equal((await laptop.post(`/join/${code}/`, { displayName: 'Quinn' })).status, 303);
    assert.equal(laptop.cookies.get(COOKIES.learner), undefined, 'no device token: the account is the learner');
    const phone = new FormClient(server.base);
    assert.equal((await phone.post('/account/signin/', { email, password: PASSWORD })).status, 303);
    assert.match((await phone.get('/my/')).text, /Accounts welcome/);
  });

  it('can be removed by their instructor (and only by them); their checks stay, and the link lets them back in', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher, 'Removals');
    const student = await joinAs(classId, 'Mistake');
    const [member] = await store().membersOf(classId);
    const intruder = await instructor('Intruder');
    const refused = await intruder.post(`/classes/${classId}/`, { action: 'remove', memberId: String(member!.id) }, { from: '/classes/' });
    assert.equal(refused.status, 404);
    assert.equal((await teacher.post(`/classes/${classId}/`, { action: 'remove', memberId: String(member!.id) }, { csrf: null })).status, 403);
    assert.equal((await store().membersOf(classId)).length, 1, 'still in the class');
    const removed = await teacher.post(`/classes/${classId}/`, { action: 'remove', memberId: String(member!.id) });
    assert.equal(removed.status, 303, removed.text);
    assert.match((await teacher.get(removed.location!)).text, /Mistake is no longer in this class/);
    assert.deepEqual(await store().membersOf(classId), []);
    assert.doesNotMatch((await student.get('/my/')).text, /Removals/);
    assert.ok(await store().learnerByTokenHash(hashToken(student.cookies.get(COOKIES.learner)!)), 'the learner and their record stay');
  });

  it('removed and blocked by their instructor, cannot join again (a page says why) until unblocked; removed only, can', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher, 'Blocking');
    const code = (await store().classById(classId))!.joinCode;
    const pest = await joinAs(classId, 'Pest');
    const slip = await joinAs(classId, 'Slip');
    const memberOf = async (name: string) => (await store().membersOf(classId)).find((m) => m.displayName === name)!;

    const removed = await teacher.post(`/classes/${classId}/`, { action: 'remove', memberId: String((await memberOf('Slip')).id) });
    assert.equal(removed.status, 303, removed.text);
    assert.equal((await slip.post(`/join/${code}/`, { displayName: 'Slip' })).status, 303, 'removed without blocking: the link lets them back in');

    const blocked = await teacher.post(`/classes/${classId}/`, { action: 'block', memberId: String((await memberOf('Pest')).id) });
    assert.equal(blocked.status, 303, blocked.text);
    const classPage = await teacher.get(blocked.location!);
    assert.match(classPage.text, /Pest is no longer in this class and cannot join it again/);
    assert.match(classPage.text, /Blocked from joining again \(1\)/);
    const page = await pest.get(`/join/${code}/`);
    assert.equal(page.status, 403);
    assert.match(page.text, /Your instructor removed you from this class and blocked joining it again/);
    assert.doesNotMatch(page.text, /name="displayName"/, 'no join form');
    const again = await pest.post(`/join/${code}/`, { displayName: 'Pest again' }, { csrf: pest.cookies.get(COOKIES.csrf)! });
    assert.equal(again.status, 403);
    assert.deepEqual((await store().membersOf(classId)).map((m) => m.displayName), ['Slip'], 'still out');
    assert.doesNotMatch((await pest.get('/my/')).text, /Blocking/);

    const learnerId = (await store().learnerByTokenHash(hashToken(pest.cookies.get(COOKIES.learner)!)))!.id;
    const intruder = await instructor('Intruder');
    assert.equal((await intruder.post(`/classes/${classId}/`, { action: 'unblock', learnerId: String(learnerId) }, { from: '/classes/' })).status, 404, 'only their instructor unblocks');
    const unblocked = await teacher.post(`/classes/${classId}/`, { action: 'unblock', learnerId: String(learnerId) });
    assert.equal(unblocked.status, 303, unblocked.text);
    assert.match((await teacher.get(unblocked.location!)).text, /Pest can join this class again/);
    assert.equal((await pest.post(`/join/${code}/`, { displayName: 'Pest' })).status, 303, 'unblocked: back in');
  });

  it('see what is assigned and when it is due, and only once it opens', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher);
    await makeAssignment(teacher, classId, { title: 'Open now', dueAt: '2030-06-01T12:00' });
    await makeAssignment(teacher, classId, { title: 'Opens later', opensAt: '2030-01-01T00:00', dueAt: '2030-06-01T12:00' });
    const student = await joinAs(classId, 'Kim');
    const my = await student.get('/my/');
    assert.match(my.text, /Open now/);
    assert.match(my.text, /Due <strong>Sat, 1 Jun 2030, 12:00 UTC<\/strong>/);
    assert.doesNotMatch(my.text, /Opens later/);
  });
});

describe('checks in a class', () => {
  let lab: LabTicket;
  before(async () => {
    lab = await createLab(server.base);
  });
  after(async () => {
    await deleteLab(server.base, lab);
  });

  it('a student\'s start and check are recorded (saved: true), reach the dashboard\'s live feed and the CSV; an anonymous check is not recorded', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher);
    const assignmentId = await makeAssignment(teacher, classId);
    const student = await joinAs(classId, 'Robin');
    const base = `/classes/${classId}/assignments/${assignmentId}/`;

    // The instructor's live feed, open before the student works.
    const feed = await fetch(`${server.base}${base}events`, { headers: { Cookie: `${COOKIES.session}=${teacher.cookies.get(COOKIES.session)}` } });
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = feed.body!.getReader();
    let received = '';
    const rowEvent = (async () => {
      const decoder = new TextDecoder();
      while (!/event: row\ndata: .*"text":"In progress · best/.test(received)) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value);
      }
    })();

    assert.equal((await exerciseCall(student, lab, 'tcp-echo/start', { lang: 'ts' })).status, 200);
    const before = (await counts()).submissions;
    const check = await exerciseCall(student, lab, 'tcp-echo/check', { lang: 'ts' });
    assert.equal(check.status, 200, JSON.stringify(check.body));
    const answer = holds(checkAnswerSchema, check.body, 'a saved check');
    assert.equal(answer.saved, true);
    const saved = await store().submissionById(Number(answer.submissionId));
    assert.ok(saved, 'the answered check is in the database');
    assert.equal(saved.passed, answer.passed);
    assert.equal(saved.total, answer.total);
    assert.ok(saved.passed < saved.total, 'the starter does not pass');
    assert.equal(saved.checks.length, saved.total);

    await Promise.race([rowEvent, new Promise((_, reject) => setTimeout(() => reject(new Error(`no row event in 10 s; the feed said:\n${received}`)), 10_000))]);
    const row = holds(dashboardRowSchema, JSON.parse(/event: row\ndata: (.*)\n/.exec(received.slice(received.lastIndexOf('event: row')))![1]!), 'the live row');
    assert.equal(row.displayName, 'Robin');
    assert.equal(row.cells.find((c) => c.exerciseId === 'tcp-echo')?.state, 'in-progress');
    assert.match(row.cells.find((c) => c.exerciseId === 'tcp-echo')!.text, /^In progress · best \d+\/\d+ · 1 check$/);
    await reader.cancel();

    const csv = await teacher.get(`${base}results.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="Networks-101-Week-1\.csv"/);
    const line = csv.text.split('\r\n').find((l) => l.startsWith('Robin,tcp-echo,'));
    assert.ok(line, csv.text);
    assert.match(line, new RegExp(`^Robin,tcp-echo,in-progress,${saved.passed},${saved.total},1,,no,`));
    assert.ok(csv.text.split('\r\n').some((l) => l.startsWith('Robin,udp-upper,not-started,')));
    const cell = await teacher.get(`${base}cells/${(await store().membersOf(classId))[0]!.id}/tcp-echo/`);
    assert.match(cell.text, new RegExp(`${saved.passed} of ${saved.total} checks pass \\(ts\\)`));
    assert.match(cell.text, /Hint/);

    const anonymous = await exerciseCall(new FormClient(server.base), lab, 'tcp-echo/check', { lang: 'ts' });
    assert.equal(anonymous.status, 200);
    assert.equal(holds(checkAnswerSchema, anonymous.body, 'an anonymous check').saved, false);
    assert.equal((await counts()).submissions, before + 1, 'only the student\'s check was recorded');
  });

  it('a solution released by the instructor unlocks for the class only', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher);
    await makeAssignment(teacher, classId, { exercises: ['udp-upper'], solutions: 'always' });
    const student = await joinAs(classId, 'Lee');
    const released = await exerciseCall(student, lab, 'udp-upper/solution/ts');
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.ok(holds(solutionSchema, released.body, 'a released solution').files.length > 0);
    assert.equal((await exerciseCall(new FormClient(server.base), lab, 'udp-upper/solution/ts')).status, 403, 'not for a learner outside the class');
    assert.equal((await exerciseCall(student, lab, 'tcp-echo/solution/ts')).status, 403, 'nor for an exercise not released');
    const info = holds(learnerStatusSchema, JSON.parse((await student.get('/my/learner.json?exercise=udp-upper')).text), 'the learner status');
    assert.equal(info.inClass, true);
    assert.equal(info.solutionReleased, true);
    assert.equal(info.assigned?.length, 1);
  });
});

describe('the deadline', () => {
  it('keeps a snapshot once the last deadline (extensions included) has passed, and serves it as CSV', async () => {
    const teacher = await instructor();
    const classId = await makeClass(teacher, 'Past');
    const now = Date.now();
    const assignmentId = await makeAssignment(teacher, classId, { opensAt: toLocalInput(now - 3 * HOUR, 'UTC'), dueAt: toLocalInput(now - HOUR, 'UTC') });
    const student = await joinAs(classId, 'Ash');
    const memberId = (await store().membersOf(classId))[0]!.id;
    const base = `/classes/${classId}/assignments/${assignmentId}/`;
    assert.equal((await teacher.get(`${base}results.csv?view=deadline`)).status, 404, 'no snapshot before it is taken');

    // An extension into the future holds the snapshot back.
    const extend = await teacher.post(base, { action: 'extension', memberId: String(memberId), dueAt: toLocalInput(now + HOUR, 'UTC') });
    assert.equal(extend.status, 303, extend.text);
    await server.classroom.takeDueSnapshots();
    assert.equal(await store().snapshotOf(assignmentId), null);
    assert.match((await student.get('/my/')).text, /your extension/);

    const remove = await teacher.post(base, { action: 'extension', memberId: String(memberId), dueAt: '' });
    assert.equal(remove.status, 303);
    await server.classroom.takeDueSnapshots();
    const csv = await teacher.get(`${base}results.csv?view=deadline`);
    assert.equal(csv.status, 200);
    assert.match(csv.text, /^student,exercise,state/);
    assert.match(csv.text, /\r\nAsh,tcp-echo,not-started,/);
    assert.match((await teacher.get(base)).text, /Download the deadline CSV/);
  });
});
