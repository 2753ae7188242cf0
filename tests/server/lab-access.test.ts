/**
 * LAB_ACCESS against real servers, one per mode: who may start a lab (open: anyone; class: a
 * browser that joined a class, or a signed-in account; signed-in: accounts only), and the 403 a
 * refused browser gets, whose reason the lab panel turns into what to do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiErrorSchema, labTicketSchema } from '../../wire/lab-api.ts';
import { labAccessRefusal } from '../../src/client/lab/words.ts';
import { testDrivers } from '../support/drivers.ts';
import { FormClient } from '../support/form-client.ts';
import { deleteLab } from '../support/lab-client.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

for (const driver of testDrivers()) describe(`on ${driver}: LAB_ACCESS`, () => {
  const servers: Record<string, TestServer> = {};
  let unique = 0;
  before(async () => {
    for (const mode of ['open', 'class', 'signed-in']) {
      servers[mode] = await startTestServer({ SANDBOX_DRIVER: driver, LAB_ACCESS: mode, SIGNUPS_PER_HOUR: '1000' });
    }
  });
  after(async () => {
    for (const server of Object.values(servers)) await server.stop();
  });

  const anonymous = (mode: string) => new FormClient(servers[mode]!.base);

  async function instructor(mode: string): Promise<FormClient> {
    const client = new FormClient(servers[mode]!.base);
    const page = await client.post('/account/signup/', { email: `ines-${process.pid}-${++unique}@example.org`, name: 'Ines', password: 'correct horse battery' });
    assert.equal(page.status, 303, page.text);
    return client;
  }

  async function student(mode: string): Promise<FormClient> {
    const teacher = await instructor(mode);
    const made = await teacher.post('/classes/', { name: 'Networks 101' });
    assert.equal(made.status, 303, made.text);
    const classId = Number(/^\/classes\/(\d+)\/$/.exec(made.location ?? '')?.[1]);
    const code = (await servers[mode]!.classroom.store.classById(classId))!.joinCode;
    const client = new FormClient(servers[mode]!.base);
    const joined = await client.post(`/join/${code}/`, { displayName: 'Sam' });
    assert.equal(joined.location, '/my/?joined=1', joined.text);
    return client;
  }

  /** Starts a lab as `client`: the HTTP status, and the lab (ended again at once) or the error. */
  async function start(mode: string, client: FormClient): Promise<{ status: number; reason?: string; error?: string }> {
    const page = await client.request('/api/labs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (page.status === 201) {
      assert.equal(await deleteLab(servers[mode]!.base, labTicketSchema.parse(JSON.parse(page.text))), 204);
      return { status: 201 };
    }
    const body = apiErrorSchema.parse(JSON.parse(page.text));
    return { status: page.status, reason: body.reason, error: body.error };
  }

  it('open (the default): anyone starts a lab', async () => {
    assert.equal((await start('open', anonymous('open'))).status, 201);
  });

  it('class: a browser that joined a class, or a signed-in account; nobody else', async () => {
    const refused = await start('class', anonymous('class'));
    assert.equal(refused.status, 403);
    assert.equal(refused.reason, 'class-only');
    assert.match(refused.error!, /join your class with the code/);
    assert.match(labAccessRefusal(refused.reason!)!.message, /Join your class with the code or link your instructor gave you/, 'the panel says what to do');
    assert.equal((await start('class', await student('class'))).status, 201, 'a student who joined with the code');
    assert.equal((await start('class', await instructor('class'))).status, 201, 'a signed-in instructor');
  });

  it('signed-in: signed-in accounts only, not a student who joined with a code', async () => {
    const refused = await start('signed-in', anonymous('signed-in'));
    assert.equal(refused.status, 403);
    assert.equal(refused.reason, 'signed-in-only');
    assert.match(labAccessRefusal(refused.reason!)!.message, /Sign in/);
    assert.equal((await start('signed-in', await student('signed-in'))).status, 403, 'a student without an account');
    assert.equal((await start('signed-in', await instructor('signed-in'))).status, 201);
  });

  it('a forged or stale cookie admits nobody', async () => {
    const forged = anonymous('class');
    forged.cookies.set('socketlab_learner', 'not-a-device-token');
    forged.cookies.set('socketlab_session', 'not-a-session');
    assert.equal((await start('class', forged)).status, 403);
  });
});
