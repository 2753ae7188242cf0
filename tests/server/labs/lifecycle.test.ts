/**
 * How labs end, with short timeouts: idle (with a warning first), hard lifetime, the grace period
 * after a disconnect, per-client and total caps, and server shutdown. Every end states its reason.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLab, TermClient } from '../../support/lab-client.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';
import { initPid } from '../../support/sandboxes.ts';

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  const servers: TestServer[] = [];
  const terms: TermClient[] = [];
  after(async () => {
    for (const t of terms) t.close();
    for (const s of servers) await s.stop();
  });

  async function server(env: Record<string, string>) {
    const s = await startTestServer({ SANDBOX_DRIVER: driver, ...env });
    servers.push(s);
    return s;
  }

  describe('lab lifecycle', () => {
    it('warns before the idle timeout, then ends the lab with reason idle', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '3', LAB_IDLE_WARNING_SECONDS: '2' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      await t.until(() => t.notices.length > 0, 'an idle warning', 5000);
      assert.equal(t.notices[0]!.kind, 'idle-warning');
      assert.ok(t.notices[0]!.secondsLeft <= 2);
      await t.until(() => t.exit !== null, 'EXIT', 5000);
      assert.equal(t.exit!.reason, 'idle');
      assert.equal((await fetch(`${s.base}/healthz`).then((r) => r.json()) as { labs: number }).labs, 0);
    });

    it('typing keeps an idle lab alive', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '2', LAB_IDLE_WARNING_SECONDS: '1' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 500));
        t.type(i % 2 === 0 ? 'x' : '\x7f'); // a keystroke, then its deletion: the shell echoes both
      }
      assert.equal(t.exit, null);
    });

    it('ends a lab whose only activity is empty INPUT frames, at its idle timeout', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '3', LAB_IDLE_WARNING_SECONDS: '1' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      const quietFrom = performance.now();
      const keepAlive = setInterval(() => t.type(''), 500);
      try {
        await t.until(() => t.exit !== null, 'EXIT', 8000);
      } finally {
        clearInterval(keepAlive);
      }
      assert.equal(t.exit!.reason, 'idle');
      assert.ok(performance.now() - quietFrom >= 2500, 'ended before its idle timeout');
    });

    it('keeps a lab whose program prints, with nobody typing', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '2', LAB_IDLE_WARNING_SECONDS: '1' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      t.type('while true; do echo tick; sleep 0.5; done\r');
      await t.waitFor('tick');
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(t.exit, null, 'a lab running a program that prints was ended as idle');
    });

    it('"Keep the lab" (POST .../keep) keeps an idle lab alive', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '2', LAB_IDLE_WARNING_SECONDS: '1' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 750));
        const res = await fetch(`${s.base}/api/labs/${lab.labId}/keep`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
        assert.equal(res.status, 204);
      }
      assert.equal(t.exit, null);
      const wrong = await fetch(`${s.base}/api/labs/${lab.labId}/keep`, { method: 'POST', headers: { Authorization: 'Bearer wrong' } });
      assert.equal(wrong.status, 404, 'keeping needs the lab token');
    });

    it('counts attaching a terminal as activity, but not a terminal merely left attached', async () => {
      const s = await server({ LAB_IDLE_SECONDS: '6', LAB_IDLE_WARNING_SECONDS: '1' });
      const lab = await createLab(s.base);
      const first = await TermClient.open(s.base, lab, 'first');
      terms.push(first);
      await first.opened();
      const firstAt = performance.now();
      await new Promise((r) => setTimeout(r, 3000));
      const second = await TermClient.open(s.base, lab, 'second');
      terms.push(second);
      await second.opened();
      const secondAt = performance.now();
      // Past the first attach's idle timeout (checked each second), within the second's.
      await new Promise((r) => setTimeout(r, Math.max(0, firstAt + 7500 - performance.now())));
      assert.ok(performance.now() - secondAt < 5500, 'the machine is too slow for this timing');
      assert.equal(first.exit, null, 'the second attach kept the lab alive');
      // Both stay attached, nobody types: the lab ends idle all the same.
      await first.until(() => first.exit !== null, 'EXIT', 6000);
      assert.equal(first.exit!.reason, 'idle');
    });

    it('ends a lab at its hard lifetime with reason ttl, even while in use', async () => {
      const s = await server({ LAB_TTL_SECONDS: '2' });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      t.type('while sleep 0.2; do echo busy; done\r');
      await t.until(() => t.exit !== null, 'EXIT', 5000);
      assert.equal(t.exit!.reason, 'ttl');
    });

    it('kills a detached terminal after the grace period; a reattach within it keeps the shell', async () => {
      const s = await server({ LAB_GRACE_SECONDS: '1' });
      const lab = await createLab(s.base);
      const first = await TermClient.open(s.base, lab, 'main');
      terms.push(first);
      await first.waitFor('$ ');
      first.type('export MARK=kept\r');
      await first.waitFor('$ ', 5000, first.mark);
      first.ws.terminate();
      await new Promise((r) => setTimeout(r, 300));
      const again = await TermClient.open(s.base, lab, 'main');
      terms.push(again);
      await again.opened();
      again.type('echo $MARK\r');
      await again.waitFor('kept');
      again.ws.terminate();
      await new Promise((r) => setTimeout(r, 1800));
      const late = await TermClient.open(s.base, lab, 'main');
      terms.push(late);
      await late.opened();
      late.type('echo "[$MARK]"\r');
      await late.waitFor('[]', 5000); // a new shell: the old one was killed after the grace period
    });

    it('ends a lab whose sandbox died (its init killed from the host) with reason failed; the lab is gone', async () => {
      const s = await server({});
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      process.kill(initPid(driver, s.config.SANDBOX_INSTANCE, lab.labId), 'SIGKILL');
      await t.until(() => t.exit !== null, 'EXIT', 10_000);
      assert.equal(t.exit!.reason, 'failed');
      for (let waited = 0; s.labs.count > 0 && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      assert.equal(s.labs.count, 0, 'the lab ended');
      const status = await fetch(`${s.base}/api/labs/${lab.labId}`, { headers: { Authorization: `Bearer ${lab.token}` } });
      assert.equal(status.status, 404, 'the lab is gone');
    });

    it('answers 429 over the per-client cap and 503 at capacity, with a reason', async () => {
      const s = await server({ MAX_LABS_PER_CLIENT: '2', MAX_LABS: '3' });
      await createLab(s.base);
      await createLab(s.base);
      const res = await fetch(`${s.base}/api/labs`, { method: 'POST' });
      assert.equal(res.status, 429);
      assert.equal(((await res.json()) as { reason: string }).reason, 'per-client');
      const s2 = await server({ MAX_LABS: '1' });
      await createLab(s2.base);
      const full = await fetch(`${s2.base}/api/labs`, { method: 'POST' });
      assert.equal(full.status, 503);
      assert.equal(((await full.json()) as { reason: string }).reason, 'capacity');
    });

    it('on shutdown, terminals get EXIT shutdown and every sandbox is removed', async () => {
      const s = await startTestServer({ SANDBOX_DRIVER: driver });
      const lab = await createLab(s.base);
      const t = await TermClient.open(s.base, lab, 'main');
      terms.push(t);
      await t.waitFor('$ ');
      await s.stop();
      await t.until(() => t.exit !== null, 'EXIT');
      assert.equal(t.exit!.reason, 'shutdown');
      assert.equal(s.labs.count, 0);
    });
  });
});
