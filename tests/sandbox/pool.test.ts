/**
 * The warm pool (sandbox/drivers/pool.ts) on real sandboxes: it grows with a burst of starts up
 * to its maximum and shrinks back after it, and the sandbox it hands out has its first shell
 * running already, prompt drawn, at the size the terminal asks for.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WarmPool } from '../../sandbox/drivers/pool.ts';
import type { Sandbox, SandboxDriver, Shell } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const noErrors = { error: (_fields: object, message: string) => assert.fail(`the pool logged: ${message}`) };

async function until(holds: () => boolean, ms: number, what: string): Promise<void> {
  for (const deadline = Date.now() + ms; !holds(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
  }
}

/** Everything `shell` prints, as text, from the moment of the call. */
function screenOf(shell: Shell): { text: string } {
  const screen = { text: '' };
  shell.onData((data) => (screen.text += Buffer.from(data).toString()));
  return screen;
}

for (const name of testDrivers()) describe(`a warm pool on ${name}`, () => {
  const instance = `pool-${process.pid}-${name}`;
  const pools: SandboxDriver[] = [];
  const taken: Sandbox[] = [];
  after(async () => {
    for (const sandbox of taken) await sandbox.destroy();
    for (const pool of pools) await pool.close();
  });

  async function pool(suffix: string, size: ConstructorParameters<typeof WarmPool>[1]): Promise<WarmPool> {
    const made = new WarmPool(await makeDriver(name, `${instance}-${suffix}`), size, noErrors);
    pools.push(made);
    return made;
  }

  it('grows with a burst of starts, never past its maximum, and shrinks back to its minimum after it', async () => {
    const warm = await pool('burst', { min: 1, max: 4, windowMs: 10_000 });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, warm.waiting)), 20);
    try {
      for (let i = 0; i < 6; i++) taken.push(await warm.create(testLimits));
      assert.equal(warm.target, 4, 'six starts in the window: the minimum plus six, capped at four');
      await until(() => warm.waiting === 4, 60_000, 'the pool holding four sandboxes');
      await until(() => warm.waiting === 1, 25_000, 'the pool back at its minimum once the burst is over');
    } finally {
      clearInterval(watch);
    }
    assert.equal(most, 4, 'the pool never held more than its maximum');
  });

  it('hands out a sandbox whose first shell already runs: its prompt arrives at once, at the size asked for', async () => {
    const warm = await pool('shell', { min: 1, max: 1 });
    taken.push(await warm.create(testLimits)); // the first start fills the pool
    await until(() => warm.waiting === 1, 30_000, 'a sandbox waiting in the pool');
    await new Promise((r) => setTimeout(r, 500)); // its shell draws its prompt meanwhile
    const sandbox = await warm.create(testLimits);
    taken.push(sandbox);

    const asked = performance.now();
    const shell = await sandbox.openShell({ cols: 101, rows: 33 });
    const screen = screenOf(shell);
    assert.ok(performance.now() - asked < 50, `openShell took ${(performance.now() - asked).toFixed(0)} ms with a shell waiting`);
    assert.match(screen.text, /\$ $/, 'the prompt it drew while it waited is given to the first listener');
    // The resize is a request to the engine on Docker, answered a moment later, as for any shell.
    for (let asked = 0; asked < 20 && !/^33 101\r$/m.test(screen.text); asked++) {
      const from = screen.text.length;
      shell.write(Buffer.from('stty size; echo SIZE-DONE\r'));
      await until(() => screen.text.slice(from).includes('SIZE-DONE\r\n'), 10_000, 'the shell answering');
      if (!/^33 101\r$/m.test(screen.text)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(screen.text, /^33 101\r$/m, 'the waiting shell was resized to the terminal that took it');

    const second = await sandbox.openShell({ cols: 80, rows: 24 });
    const secondScreen = screenOf(second);
    second.write(Buffer.from('echo SECOND-$((6*7))\r'));
    await until(() => secondScreen.text.includes('SECOND-42'), 10_000, 'a second shell, started as usual, answering');
    assert.doesNotMatch(screen.text, /SECOND/, 'the second terminal is a shell of its own');
  });

  it('gives a start that finds the pool empty the sandbox already starting for it, not one of its own', async () => {
    const driver = await makeDriver(name, `${instance}-claim`);
    const startedIds: string[] = []; // in the order their starts began
    const counting: SandboxDriver = {
      name: driver.name,
      create: (limits) => {
        const index = startedIds.push('') - 1;
        return driver.create(limits).then((sandbox) => ((startedIds[index] = sandbox.labId), sandbox));
      },
      removeOrphans: () => driver.removeOrphans(),
      close: () => driver.close(),
    };
    const warm = new WarmPool(counting, { min: 1, max: 1 }, noErrors);
    pools.push(warm);
    warm.warm(testLimits); // the pool starts its one sandbox now
    const sandbox = await warm.create(testLimits); // before that one is ready
    taken.push(sandbox);
    assert.equal(sandbox.labId, startedIds[0], 'the lab got the sandbox the pool had begun first');
    await until(() => warm.waiting === 1, 30_000, 'the pool refilled');
    assert.equal(startedIds.length, 2, 'two starts in all: the one claimed, and the refill');
  });

  it('starts a new shell when the waiting one has died', async () => {
    const warm = await pool('dead-shell', { min: 1, max: 1 });
    taken.push(await warm.create(testLimits));
    await until(() => warm.waiting === 1, 30_000, 'a sandbox waiting in the pool');
    const sandbox = await warm.create(testLimits);
    taken.push(sandbox);
    const killBash = 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = bash ] && kill -KILL "${p#/proc/}"; done; true';
    await sandbox.exec(['/bin/sh', '-c', killBash], { timeoutMs: 10_000, maxOutputBytes: 4096 });
    await new Promise((r) => setTimeout(r, 300)); // the pty reports the exit
    const shell = await sandbox.openShell({ cols: 80, rows: 24 });
    const screen = screenOf(shell);
    shell.write(Buffer.from('echo FRESH-$((6*7))\r'));
    await until(() => screen.text.includes('FRESH-42'), 10_000, 'a new shell answering');
  });
});
