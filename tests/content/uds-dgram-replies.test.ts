/**
 * A Unix datagram client matches each reply to its request. The server is frozen (SIGSTOP) while
 * the client sends `first`, so that line times out; the client then sends `second` and the server
 * is resumed: it answers `first`, late, and then `second`. The client must print `echo: second`
 * for `second`, not the stale `echo: first`, and stay in step for the lines after it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { LANGS } from '../../src/catalog/topics.ts';
import { fill, loadExample, prepare, programEnv, uniqueSocketPath } from '../support/examples.ts';
import { killAll, start, waitForExit, type Running } from '../support/processes.ts';

const started = new Set<Running>();
after(() => killAll(started));

async function waitForStderr(running: Running, text: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !running.stderr().includes(text); await sleep(50)) {
    if (Date.now() > end) throw new Error(`did not print "${text}" on stderr within ${ms} ms; stderr:\n${running.stderr()}`);
  }
}

describe('uds-dgram clients match replies to requests', () => {
  for (const lang of LANGS) {
    it(`${lang}: a late reply to a line that timed out is not printed as the next line's reply`, async () => {
      const example = loadExample('uds-dgram', lang);
      const values = { port: 0, socket: uniqueSocketPath('uds-dgram') };
      const work = await prepare(example);
      const command = (name: string) => fill(example.manifest.programs.find((p) => p.name === name)!.run, values);
      const server = start(command('server'), { cwd: work, env: programEnv });
      started.add(server);
      await server.waitFor('listening on');
      const client = start(command('client'), { cwd: work, env: programEnv });
      started.add(client);
      await client.waitFor('bound to');

      server.child.kill('SIGSTOP');
      client.send('first\n');
      await waitForStderr(client, 'no reply within 1 s');
      client.send('second\n');
      await sleep(200); // `second` now waits in the frozen server's queue, behind `first`
      server.child.kill('SIGCONT');
      await client.waitFor('echo: second');
      client.send('third\n');
      client.endInput();
      assert.equal(await waitForExit(client, 'the client'), 0, client.stderr());

      const replies = client.stdout().split('\n').filter((line) => line.startsWith('echo: '));
      assert.deepEqual(replies, ['echo: second', 'echo: third'], `the client printed:\n${client.stdout()}`);
      server.child.kill('SIGTERM');
      assert.equal(await waitForExit(server, 'the server'), 0);
    });
  }
});
