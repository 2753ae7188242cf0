/**
 * A lab's terminals over its life: a learner opens and closes far more shells than a lab holds at
 * once. On Docker each shell records its pid on the lab's small /run/socketlab tmpfs (the driver
 * kills a terminal through it); those files piled up until, after 14 terminals, a new shell could
 * not record its pid ("echo: I/O error" on its screen) and the server could no longer end it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Sandbox, SandboxDriver, Shell } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits, within } from '../support/sandboxes.ts';

const SHELLS = 40;

function screenOf(shell: Shell): { text: () => string; until: (pattern: RegExp, what: string) => Promise<void> } {
  let screen = '';
  shell.onData((data) => (screen += Buffer.from(data).toString()));
  return {
    text: () => screen,
    async until(pattern, what) {
      for (let waited = 0; !pattern.test(screen) && waited < 10_000; waited += 25) await new Promise((r) => setTimeout(r, 25));
      assert.match(screen, pattern, `${what}; the screen: ${JSON.stringify(screen.slice(-400))}`);
    },
  };
}

for (const name of testDrivers()) describe(`on ${name}`, () => {
  let driver: SandboxDriver;
  let sandbox: Sandbox;
  after(async () => {
    await sandbox?.destroy();
    await driver?.close();
  });

  it(`ends the ${SHELLS}th terminal as surely as the first, after ${SHELLS - 1} were opened and left`, async () => {
    driver = await makeDriver(name, `shells-${process.pid}-${name}`);
    sandbox = await driver.create(testLimits);
    for (let i = 1; i < SHELLS; i++) {
      const shell = await sandbox.openShell({ cols: 80, rows: 24 });
      const screen = screenOf(shell);
      const exited = new Promise((resolve) => shell.onExit(resolve));
      await screen.until(/\$ $/, `shell ${i} draws its prompt`);
      shell.write(Buffer.from('exit\r'));
      await within(exited, 10_000, `shell ${i} exiting`);
      assert.doesNotMatch(screen.text(), /error/i, `shell ${i} started cleanly`);
    }
    const last = await sandbox.openShell({ cols: 80, rows: 24 });
    const screen = screenOf(last);
    const exited = new Promise((resolve) => last.onExit(resolve));
    await screen.until(/\$ $/, 'the last shell draws its prompt');
    assert.doesNotMatch(screen.text(), /error/i, 'the last shell started cleanly');
    last.write(Buffer.from('sleep 600\r'));
    await screen.until(/sleep 600\r\n/, 'the last shell runs sleep');
    last.kill();
    await within(exited, 5000, 'the last shell ending when the server kills it');
  });
});
