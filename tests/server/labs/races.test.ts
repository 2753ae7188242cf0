/**
 * Races and leaks of the lab server, through the public protocol against real sandboxes: a browser
 * that leaves (or types, or misbehaves) while its shell is still starting, connections that open
 * the same terminal at once, terminals that end, and a server that stops. A shell starts in a few
 * milliseconds on an idle machine and in hundreds on a busy one; the tests of what happens
 * meanwhile make it start 300 ms late, so they see the same window on every run and either driver.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

/** A gauge's value from GET /metrics (one registry per process: compare before and after). */
async function gauge(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(line, `/metrics has no ${name}`);
  return Number(line[1]);
}

/** Runs `step` before each shell of the lab starts (`when` 'before') or is handed over ('after'). */
function aroundShellStart(s: TestServer, lab: LabTicket, when: 'before' | 'after', step: () => Promise<unknown>): void {
  const sandbox = s.labs.get(lab.labId)!.sandbox;
  const openShell = sandbox.openShell.bind(sandbox);
  sandbox.openShell = async (size) => {
    if (when === 'before') await step();
    const shell = await openShell(size);
    if (when === 'after') await step();
    return shell;
  };
}

/** Shells of this lab start 300 ms late, as on a busy machine. Returns how many have started. */
function slowShellStart(s: TestServer, lab: LabTicket): () => number {
  let started = 0;
  aroundShellStart(s, lab, 'before', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    started++;
  });
  return () => started;
}

/** Resolves when `check` holds; fails after `ms`, naming what it waited for. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const giveUpAt = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > giveUpAt) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function labTerminals(base: string, lab: LabTicket): Promise<string[]> {
  const res = await fetch(`${base}/api/labs/${lab.labId}`, { headers: { Authorization: `Bearer ${lab.token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { terminals: string[] }).terminals;
}

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  const servers: TestServer[] = [];
  const terms: TermClient[] = [];
  after(async () => {
    for (const t of terms) t.close();
    for (const s of servers) await s.stop();
  });

  async function server(env: Record<string, string> = {}) {
    const s = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600', ...env });
    servers.push(s);
    return s;
  }
  const open = async (s: TestServer, lab: LabTicket, termId: string, options = {}) => {
    const t = await TermClient.open(s.base, lab, termId, options);
    terms.push(t);
    return t;
  };
  /** Settles once the connection has its READY or is closed (refused). */
  const settled = (t: TermClient) => t.until(() => t.ready !== null || t.closed, 'READY or a close').catch(() => {});

  describe('while a shell starts', () => {
    it('a browser that leaves before READY leaves its terminal detached, and the grace period ends it', async () => {
      const s = await server({ LAB_GRACE_SECONDS: '1' });
      const lab = await createLab(s.base);
      const shellsStarted = slowShellStart(s, lab);
      const attached = await gauge(s.base, 'socketlab_terminals_attached');
      const running = await gauge(s.base, 'socketlab_terminals_open');
      const t = await open(s, lab, 'gone');
      t.ws.once('open', () => t.ws.close());
      await t.until(() => t.closed, 'the close');
      await eventually(async () => shellsStarted() === 1, 'the shell to start');
      // The shell was started for it; nobody is attached, so the grace period ends it.
      await eventually(async () => (await gauge(s.base, 'socketlab_terminals_attached')) === attached, 'the terminal to count as detached');
      await eventually(async () => (await gauge(s.base, 'socketlab_terminals_open')) === running, 'the grace period to end the shell');
      assert.deepEqual(await labTerminals(s.base, lab), []);
    });

    for (const when of ['before', 'after'] as const) {
      it(`a lab that ends while a shell starts (${when} the sandbox started it) keeps no shell, and the browser hears the lab is gone`, async () => {
        const s = await server();
        const lab = await createLab(s.base);
        aroundShellStart(s, lab, when, () => deleteLab(s.base, lab));
        const running = await gauge(s.base, 'socketlab_terminals_open');
        const t = await open(s, lab, 'late');
        await t.until(() => t.closed, 'the close');
        assert.equal(t.ready, null);
        assert.deepEqual(t.errors.map((e) => e.code), ['no-lab']);
        assert.equal(await gauge(s.base, 'socketlab_terminals_open'), running);
      });
    }

    it('READY says reattached only when the shell already existed', async () => {
      const s = await server();
      const lab = await createLab(s.base);
      const fresh = await open(s, lab, 'fresh', { resume: 1234 }); // a stale offset, e.g. from an earlier page
      await fresh.opened();
      assert.equal(fresh.ready!.reattached, false, 'a new shell was opened');
      await fresh.waitFor('$ ');
      const again = await open(s, lab, 'fresh', { resume: fresh.ready!.offset + fresh.received });
      await again.opened();
      assert.equal(again.ready!.reattached, true, 'the same shell');
      const other = await open(s, lab, 'other');
      await other.opened();
      assert.equal(other.ready!.reattached, false);
    });

    it('input sent before READY reaches the shell', async () => {
      const s = await server();
      const lab = await createLab(s.base);
      slowShellStart(s, lab);
      const t = await open(s, lab, 'early');
      t.ws.once('open', () => t.type('echo early-$((6*7))\r'));
      await t.waitFor('early-42');
    });

    it('a command typed the moment the connection opens runs, 100 attaches out of 100 (10 labs x 10 terminals)', async () => {
      const s = await server({ MAX_TERMINALS_PER_LAB: '10' });
      const labs = await Promise.all(Array.from({ length: 10 }, () => createLab(s.base)));
      const typed = labs.flatMap((lab, l) =>
        Array.from({ length: 10 }, (_, i) => {
          const n = l * 10 + i;
          return open(s, lab, `at-once-${i}`)
            .then((t) => {
              t.ws.once('open', () => t.type(`echo ok""-${n}\r`));
              return t.waitFor(`ok-${n}`, 30_000);
            })
            .then(() => null, () => n);
        }),
      );
      const lost = (await Promise.all(typed)).filter((n) => n !== null);
      assert.deepEqual(lost, [], `${lost.length} of 100 commands typed at once never ran`);
    });

    it('a frame over 1 MiB sent before READY closes that connection only', async () => {
      const s = await server();
      const lab = await createLab(s.base);
      slowShellStart(s, lab);
      const t = await open(s, lab, 'huge');
      t.ws.once('open', () => t.ws.send(new Uint8Array(1024 * 1024 + 1)));
      await t.until(() => t.closed, 'the close');
      const next = await open(s, lab, 'huge');
      await next.waitFor('$ ');
      assert.match(await next.sh('echo still-$((1+1))'), /still-2/);
    });

    it('two connections to one new terminal at once share one shell, and one takes it over from the other', async () => {
      const s = await server();
      const lab = await createLab(s.base);
      slowShellStart(s, lab);
      const running = await gauge(s.base, 'socketlab_terminals_open');
      const first = await open(s, lab, 'same');
      const second = await open(s, lab, 'same');
      await Promise.all([first.opened(), second.opened()]);
      await eventually(async () => first.closed || second.closed, 'one connection to be taken over by the other');
      const live = [first, second].filter((t) => !t.closed);
      assert.equal(live.length, 1);
      assert.match(await live[0]!.sh('echo one-$((0+1))'), /one-1/);
      assert.equal(await gauge(s.base, 'socketlab_terminals_open'), running + 1, 'one shell, none orphaned');
    });

    it('new terminals opened at once stop at the per-lab limit', async () => {
      const s = await server({ MAX_TERMINALS_PER_LAB: '2' });
      const lab = await createLab(s.base);
      slowShellStart(s, lab);
      const all = await Promise.all(['t1', 't2', 't3', 't4', 't5'].map((id) => open(s, lab, id)));
      await Promise.all(all.map(settled));
      const ready = all.filter((t) => t.ready !== null);
      const refused = all.filter((t) => t.errors.some((e) => e.code === 'terminals'));
      assert.equal(ready.length, 2, `2 terminals open, not ${ready.length}`);
      assert.equal(refused.length, 3);
      assert.equal((await labTerminals(s.base, lab)).length, 2);
    });
  });

  describe('terminals that end', () => {
    it('an ended terminal is let go: its connection closes after EXIT, and the lab forgets it', async () => {
      const s = await server({ MAX_TERMINALS_PER_LAB: '2' });
      const lab = await createLab(s.base);
      const keep = await open(s, lab, 'keep');
      await keep.waitFor('$ ');
      for (const id of ['a', 'b', 'c']) {
        const t = await open(s, lab, id);
        await t.waitFor('$ ');
        t.type('exit\r');
        await t.until(() => t.closed, 'the close after EXIT');
        assert.equal(t.exit?.reason, 'exit');
      }
      assert.deepEqual(await labTerminals(s.base, lab), ['keep']);
      assert.equal(s.labs.get(lab.labId)!.terminals.size, 1, 'ended terminals (and their output buffers) are not kept');
    });

    it('on shutdown, a paused terminal gets its EXIT before its connection closes', async () => {
      const s = await startTestServer({ SANDBOX_DRIVER: driver });
      const lab = await createLab(s.base);
      // A client that never ACKs: its shell is paused, so the shell's end is noticed late.
      const t = await open(s, lab, 'flood', { ack: false });
      await t.waitFor('$ ');
      t.type('yes\r');
      await t.until(() => t.received > 400 * 1024, 'a flood up to the flow-control window');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await s.stop();
      await t.until(() => t.closed, 'the close');
      assert.equal(t.exit?.reason, 'shutdown', 'EXIT shutdown arrived before the close');
    });
  });
});
