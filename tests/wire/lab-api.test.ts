/**
 * The wire contract of the lab HTTP API (wire/lab-api.ts) holds for what the real server answers:
 * a real server with real labs, asked through public HTTP only, and every answer parsed with the
 * schema the browser's types come from, keeping it whole (tests/support/contract.ts), so a field
 * the server adds or renames without the schema fails here too.
 * (The classroom's answers, the learner status and the dashboard's live row, are parsed the same
 * way in tests/server/classroom/classroom.test.ts, where a class exists.)
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { apiErrorSchema, checkAnswerSchema, labStatusSchema, labTicketSchema, learnerStatusSchema, listingSchema, solutionSchema, startedSchema, terminalTicketSchema, type LabTicket } from '../../wire/lab-api.ts';
import { exerciseFiles, loadExercise } from '../../src/catalog/exercise-manifest.ts';
import { holds } from '../support/contract.ts';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

for (const driver of testDrivers()) describe(`the lab API's answers on ${driver}`, () => {
  let server: TestServer;
  let ticket: LabTicket;

  async function call(method: string, path: string, options: { body?: BodyInit; token?: string } = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${options.token ?? ticket.token}`, ...(typeof options.body === 'string' && { 'Content-Type': 'application/json' }) },
      ...(options.body !== undefined && { body: options.body }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }
  const inLab = (rest: string) => `/api/labs/${ticket.labId}${rest}`;

  /** An error answer: its status and a body that holds to the contract. */
  async function refused(status: number, reason: string, method: string, path: string, options?: { body?: string; token?: string }) {
    const answer = await call(method, path, options);
    assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    assert.equal(holds(apiErrorSchema, answer.body, `${method} ${path}`).reason, reason);
  }

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600' });
    const res = await fetch(`${server.base}/api/labs`, { method: 'POST' });
    assert.equal(res.status, 201);
    ticket = holds(labTicketSchema, await res.json(), 'POST /api/labs');
  });
  after(async () => {
    await server?.stop();
  });

  it('a lab\'s status while it runs (its ticket: before)', async () => {
    const status = await call('GET', inLab(''));
    assert.equal(status.status, 200);
    assert.equal(holds(labStatusSchema, status.body, 'GET /api/labs/:labId').labId, ticket.labId);
  });

  it('a terminal ticket', async () => {
    const answer = await call('POST', inLab('/terminals/main/ticket'));
    assert.equal(answer.status, 201);
    const issued = holds(terminalTicketSchema, answer.body, 'POST .../terminals/:termId/ticket');
    assert.ok(Date.parse(issued.expiresAt) - Date.now() <= 30_000);
  });

  it('a folder listing', async () => {
    const answer = await call('GET', inLab('/files?dir=examples/tcp'));
    assert.equal(answer.status, 200);
    const listing = holds(listingSchema, answer.body, 'GET .../files');
    assert.ok(listing.entries.some((e) => e.path === 'examples/tcp/c/server.c' && e.kind === 'file' && e.size > 0));
  });

  it('an exercise: started, a failing and a passing check, the solution', async () => {
    const def = loadExercise('tcp-echo');
    const body = JSON.stringify({ lang: 'ts' });
    const start = await call('POST', inLab('/exercises/tcp-echo/start'), { body });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const started = holds(startedSchema, start.body, 'POST .../start');
    await refused(403, 'locked', 'GET', inLab('/exercises/tcp-echo/solution/ts'));

    const failing = await call('POST', inLab('/exercises/tcp-echo/check'), { body });
    assert.equal(failing.status, 200, JSON.stringify(failing.body));
    const report = holds(checkAnswerSchema, failing.body, 'POST .../check (the starter)');
    assert.ok(report.passed < report.total && !report.unlocked && !report.saved);

    for (const file of exerciseFiles(def, 'solution', 'ts')) {
      const saved = await call('PUT', inLab(`/files/${started.dir}/${file.path}`), { body: new Uint8Array(file.content) });
      assert.equal(saved.status, 204);
    }
    const passing = holds(checkAnswerSchema, (await call('POST', inLab('/exercises/tcp-echo/check'), { body })).body, 'POST .../check (the solution)');
    assert.equal(passing.passed, passing.total, JSON.stringify(passing.checks.filter((c) => !c.pass)));
    assert.ok(passing.unlocked);

    const solution = await call('GET', inLab('/exercises/tcp-echo/solution/ts'));
    assert.equal(solution.status, 200);
    assert.deepEqual(holds(solutionSchema, solution.body, 'GET .../solution/ts').files.map((f) => f.path), ['server.ts']);
  });

  it('every kind of refusal, from each route and the WebSocket bridge', async () => {
    await refused(404, 'no-lab', 'GET', inLab(''), { token: 'wrong' });
    await refused(404, 'no-lab', 'GET', inLab('/files'), { token: 'wrong' });
    await refused(404, 'no-lab', 'POST', inLab('/exercises/tcp-echo/check'), { token: 'wrong', body: '{}' });
    await refused(400, 'bad-path', 'GET', inLab('/files?dir=..'));
    await refused(404, 'no-exercise', 'POST', inLab('/exercises/no-such-thing/check'), { body: '{"lang":"c"}' });
    await refused(400, 'bad-lang', 'POST', inLab('/exercises/tcp-echo/start'), { body: '{"lang":"cobol"}' });
    await refused(405, 'method', 'DELETE', inLab('/files'));
    await refused(404, 'not-found', 'GET', '/api/no-such-route');
    // Refused before the upgrade, as plain HTTP with the same body.
    const upgrade = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(`${server.base}${inLab('/terminals/NOT_A_NAME')}?ticket=unused`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(upgrade.status, 400);
    assert.equal(holds(apiErrorSchema, upgrade.body, 'a refused WebSocket').reason, 'term-id');
  });

  it('the learner status of a browser in no class', async () => {
    const res = await fetch(`${server.base}/my/learner.json?exercise=tcp-echo`);
    assert.equal(res.status, 200);
    assert.deepEqual(holds(learnerStatusSchema, await res.json(), 'GET /my/learner.json'), { inClass: false });
  });
});
