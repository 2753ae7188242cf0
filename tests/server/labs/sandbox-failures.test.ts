/**
 * A sandbox that fails underneath the lab server (the Docker engine not answering, a cgroup file
 * that cannot be read): the failing step is logged, the learner still hears how the terminal or
 * lab ended, and the server goes on serving. The sandboxes are real; only the one failing call of
 * each is replaced, since a real engine or kernel cannot be made to fail on cue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

/** Unhandled rejections in this process (the server runs in it): there must be none. */
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
before(() => process.on('unhandledRejection', onRejection));
after(() => process.off('unhandledRejection', onRejection));

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: TestServer;
  const terms: TermClient[] = [];
  const open = async (lab: LabTicket, termId: string) => {
    const t = await TermClient.open(server.base, lab, termId);
    terms.push(t);
    return t;
  };

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '3', LAB_IDLE_WARNING_SECONDS: '1' });
  });
  after(async () => {
    for (const t of terms) t.close();
    await server.stop();
  });

  describe('when the sandbox fails', () => {
    it('a shell killed for a reason the sandbox cannot tell still gets its EXIT, and the server goes on', async () => {
      const lab = await createLab(server.base);
      const sandbox = server.labs.get(lab.labId)!.sandbox;
      sandbox.limitHit = () => Promise.reject(new Error('docker inspect: the engine did not answer'));
      const t = await open(lab, 'main');
      await t.waitFor('$ ');
      t.type('kill -9 $$\r');
      await t.until(() => t.exit !== null, 'EXIT');
      assert.equal(t.exit!.signal, 'SIGKILL');
      assert.equal(t.exit!.reason, 'killed', 'what is known: killed, by what the sandbox could not say');
      assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
      const again = await open(lab, 'main');
      assert.match(await again.waitFor('$ ').then(() => again.sh('echo again-$((1+1))')), /again-2/);
      assert.deepEqual(rejections, []);
    });

    it('a shell that will not start in a sandbox that no longer answers: plain words, the lab ends as failed, no engine text', async () => {
      const lab = await createLab(server.base);
      const sandbox = server.labs.get(lab.labId)!.sandbox;
      // What the Docker engine answers for a container removed from outside, before it reports the stop.
      const engine = () => Promise.reject(new Error('(HTTP code 404) no such container - No such container: 6750abc'));
      sandbox.openShell = engine;
      sandbox.exec = engine;
      const t = await open(lab, 'main');
      await t.until(() => t.closed, 'the close');
      assert.equal(t.errors[0]?.code, 'lab-failed');
      assert.match(t.errors[0]!.message, /stopped unexpectedly.*Start a new lab/);
      assert.doesNotMatch(JSON.stringify(t.errors), /HTTP code|No such container/i);
      assert.equal(server.labs.get(lab.labId), undefined, 'the lab ended, so a reload starts a new one');
      const status = await fetch(`${server.base}/api/labs/${lab.labId}`, { headers: { Authorization: `Bearer ${lab.token}` } });
      assert.equal(status.status, 404);
    });

    it('a shell that will not start in a sandbox that still answers: plain words and Try again; the lab lives on', async () => {
      const lab = await createLab(server.base);
      const sandbox = server.labs.get(lab.labId)!.sandbox;
      const openShell = sandbox.openShell.bind(sandbox);
      sandbox.openShell = () => Promise.reject(new Error('OCI runtime exec failed: exec failed: unable to start container process'));
      const t = await open(lab, 'main');
      await t.until(() => t.closed, 'the close');
      assert.equal(t.errors[0]?.code, 'sandbox');
      assert.match(t.errors[0]!.message, /Try again/);
      assert.doesNotMatch(JSON.stringify(t.errors), /OCI|runtime|exec failed/);
      sandbox.openShell = openShell;
      const again = await open(lab, 'main');
      assert.match(await again.waitFor('$ ').then(() => again.sh('echo again-$((1+1))')), /again-2/);
    });

    it('a sandbox that cannot be removed when its lab ends idle is logged, and the server goes on', async () => {
      const lab = await createLab(server.base);
      const sandbox = server.labs.get(lab.labId)!.sandbox;
      const destroy = sandbox.destroy.bind(sandbox);
      let failed = false;
      sandbox.destroy = async () => {
        await destroy();
        failed = true;
        throw new Error('docker rm: the engine did not answer');
      };
      const t = await open(lab, 'main');
      await t.until(() => t.exit !== null, 'EXIT', 10_000);
      assert.equal(t.exit!.reason, 'idle');
      const giveUpAt = Date.now() + 10_000;
      while (!failed) {
        assert.ok(Date.now() < giveUpAt, 'the lab\'s sandbox was never removed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // time for a rejection to go unhandled
      assert.deepEqual(rejections, []);
      assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
      assert.equal(server.labs.get(lab.labId), undefined);
    });
  });
});
