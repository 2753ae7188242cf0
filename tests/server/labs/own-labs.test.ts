/**
 * A browser's own labs, against a real server on every driver: GET /api/labs lists the labs this
 * browser started (by its owner cookie; ids, start time and page, never tokens), DELETE with the
 * cookie ends one whose token the browser lost, and nobody else (another browser behind the same
 * address) can list or end them. And the per-client cap: a class's students behind one address
 * count one by one, bounded together by the class's size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiErrorSchema, labTicketSchema, ownLabsSchema, type LabTicket } from '../../../wire/lab-api.ts';
import { testDrivers } from '../../support/drivers.ts';
import { FormClient } from '../../support/form-client.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

for (const driver of testDrivers()) describe(`on ${driver}: a browser's own labs and the per-client cap`, () => {
  let server: TestServer;
  let unique = 0;
  const started: { client: FormClient; lab: LabTicket }[] = [];
  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, MAX_LABS_PER_CLIENT: '2', SIGNUPS_PER_HOUR: '1000' });
  });
  after(async () => {
    await server.stop();
  });

  async function start(client: FormClient, body = '{"page":"/tcp/"}'): Promise<{ status: number; lab?: LabTicket; reason?: string; error?: string }> {
    const page = await client.request('/api/labs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (page.status === 201) {
      const lab = labTicketSchema.parse(JSON.parse(page.text));
      started.push({ client, lab });
      return { status: 201, lab };
    }
    const error = apiErrorSchema.parse(JSON.parse(page.text));
    return { status: page.status, reason: error.reason, error: error.error };
  }

  async function list(client: FormClient) {
    const page = await client.get('/api/labs');
    assert.equal(page.status, 200, page.text);
    return { labs: ownLabsSchema.parse(JSON.parse(page.text)).labs, text: page.text };
  }

  /** Ends every lab started so far, so each test starts under the cap. */
  async function endAll(): Promise<void> {
    for (const { lab } of started.splice(0)) {
      await fetch(`${server.base}/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${lab.token}` } });
    }
  }

  async function classOf(size: number): Promise<FormClient[]> {
    const teacher = new FormClient(server.base);
    assert.equal((await teacher.post('/account/signup/', { email: `own-${process.pid}-${++unique}@example.org`, name: 'Ines', password: 'correct horse battery' })).status, 303);
    const made = await teacher.post('/classes/', { name: 'Networks 101' });
    const classId = Number(/^\/classes\/(\d+)\/$/.exec(made.location ?? '')?.[1]);
    const code = (await server.classroom.store.classById(classId))!.joinCode;
    const students: FormClient[] = [];
    for (let i = 0; i < size; i++) {
      const student = new FormClient(server.base);
      assert.equal((await student.post(`/join/${code}/`, { displayName: `Sam ${i}` })).location, '/my/?joined=1');
      students.push(student);
    }
    return students;
  }

  it('lists the labs this browser started, without their tokens; only this browser sees and ends them', async () => {
    const mine = new FormClient(server.base);
    const first = (await start(mine)).lab!;
    const cookie = mine.setCookies.find((c) => c.startsWith('socketlab_labs='));
    assert.ok(cookie, 'the first start gives the browser an owner cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/api\/labs/);
    const second = (await start(mine, '')).lab!;
    assert.equal(mine.setCookies.filter((c) => c.startsWith('socketlab_labs=')).length, 1, 'one owner for all its labs');

    const { labs, text } = await list(mine);
    assert.deepEqual(labs.map((l) => l.labId), [first.labId, second.labId], 'oldest first');
    assert.equal(labs[0]!.page, '/tcp/');
    assert.equal(labs[1]!.page, null, 'no body: no page');
    assert.ok(!text.includes(first.token) && !text.includes(second.token), 'never a token');

    const classmate = new FormClient(server.base); // the same address, another browser
    assert.deepEqual((await list(classmate)).labs, []);
    assert.equal((await classmate.request(`/api/labs/${first.labId}`, { method: 'DELETE' })).status, 404, 'another browser cannot end it');
    assert.equal((await new FormClient(server.base).request(`/api/labs/${first.labId}`, { method: 'DELETE' })).status, 404, 'nor can a request without the cookie');

    assert.equal((await mine.request(`/api/labs/${first.labId}`, { method: 'DELETE' })).status, 204, 'the browser that started it ends it without its token');
    const status = await fetch(`${server.base}/api/labs/${first.labId}`, { headers: { Authorization: `Bearer ${first.token}` } });
    assert.equal(status.status, 404, 'it ended');
    assert.deepEqual((await list(mine)).labs.map((l) => l.labId), [second.labId]);
    await endAll();
  });

  it('a start with a body that is not {"page": a path} is refused, saying what to send', async () => {
    const refused = await start(new FormClient(server.base), '{"page":"javascript:alert(1)"}');
    assert.equal(refused.status, 400);
    assert.match(refused.error!, /page must be a path of this site, such as \/tcp\//);
    assert.equal((await start(new FormClient(server.base), 'not json')).status, 400);
  });

  it('over the cap, the refusal names the cap; the browser lists the labs it can end', async () => {
    const mine = new FormClient(server.base);
    await start(mine);
    await start(mine);
    const refused = await start(mine);
    assert.equal(refused.status, 429);
    assert.equal(refused.reason, 'per-client');
    assert.match(refused.error!, /You already have 2 labs open \(the limit is 2\); end one to start another/);
    assert.equal((await list(mine)).labs.length, 2);
    await endAll();
  });

  it("a class's students behind one address count one by one, up to one lab per student of the class together", async () => {
    const anonymous = new FormClient(server.base);
    assert.equal((await start(anonymous)).status, 201);
    assert.equal((await start(anonymous)).status, 201);
    assert.equal((await start(anonymous)).reason, 'per-client', 'the address has its 2');

    const [ana, ben, cleo] = await classOf(3);
    assert.equal((await start(ana!)).status, 201, 'a student counts as their own client, not as the address');
    assert.equal((await start(ben!)).status, 201);
    assert.equal((await start(ana!)).status, 201, 'up to MAX_LABS_PER_CLIENT each');
    const full = await start(cleo!);
    assert.equal(full.status, 429, 'a class of 3 holds at most 3 labs together');
    assert.equal(full.reason, 'per-class');
    assert.match(full.error!, /Your class already has 3 labs open, one for each student in it/);
    assert.equal((await start(ana!)).reason, 'per-client', "a student's own cap still holds");
    await endAll();
  });
});
