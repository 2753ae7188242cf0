/**
 * A check whose program never starts shows the cause once: on every driver, a program that exits
 * at once fails its first check with what happened (the got and hint), and every later check that
 * fails the same way says it was "not run" because of that first one, naming it. A program that
 * does not build marks every check not run because of the build. The report stays complete for
 * other clients (every line keeps its sent, expected, got and hint).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkAnswerSchema, type CheckAnswer, type LabTicket } from '../../../wire/lab-api.ts';
import { testDrivers } from '../../support/drivers.ts';
import { createLab } from '../../support/lab-client.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

for (const driver of testDrivers()) describe(`on ${driver}: checks not run`, () => {
  let server: TestServer;
  let lab: LabTicket;
  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver });
    lab = await createLab(server.base);
  });
  after(async () => {
    await server?.stop();
  });

  async function post(route: string, body: unknown): Promise<Response> {
    return fetch(`${server.base}/api/labs/${lab.labId}/${route}`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function checkWith(lang: string, file: string, source: string): Promise<CheckAnswer> {
    assert.equal((await post(`exercises/tcp-echo/start`, { lang })).status, 200);
    const saved = await fetch(`${server.base}/api/labs/${lab.labId}/files/exercises/tcp-echo/${lang}/${file}`, { method: 'PUT', headers: { Authorization: `Bearer ${lab.token}` }, body: source });
    assert.equal(saved.status, 204);
    const res = await post(`exercises/tcp-echo/check`, { lang });
    assert.equal(res.status, 200);
    return checkAnswerSchema.parse(await res.json());
  }

  it('a program that exits at once: the first check says why; the later ones are not run because of it', async () => {
    const report = await checkWith('ts', 'server.ts', "console.error('cannot start: no config');\nprocess.exit(3);\n");
    const [first, ...rest] = report.checks;
    assert.equal(first!.pass, false);
    assert.equal(first!.notRun, undefined, 'the first failure shows its cause');
    assert.match(first!.got, /exit|code 3/);
    assert.ok(rest.length >= 2);
    for (const check of rest) {
      assert.equal(check.pass, false);
      assert.equal(check.notRun, `your program did not start, as in "${first!.title}" above; fix that first.`, `${check.id}: ${JSON.stringify(report.checks.map((c) => c.got))}`);
      assert.ok(check.got && check.hint && check.sent && check.expected, 'the line stays complete for other clients');
    }
  });

  it('a program that does not build: every check is not run because of the build', async () => {
    const report = await checkWith('c', 'server.c', 'int main(void) { return nope; }\n');
    const [build, ...rest] = report.checks;
    assert.equal(build!.id, 'build');
    assert.equal(build!.notRun, undefined);
    assert.ok(rest.length >= 2);
    for (const check of rest) assert.match(check.notRun ?? '', /did not build \(see "Your program builds" above\)/);
  });
});
