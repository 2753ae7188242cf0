/**
 * A bwrap lab's writable folders (home, /tmp, /dev/shm, the Go cache's upper layer) are tmpfs
 * mounts with a size and an inode limit, made in the lab's own mount namespace (lab-mounts.ts):
 * the host's mount table, which every new namespace copies, does not grow with the labs, and
 * nothing is left mounted when a lab or its server goes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const LABS = 3;
const hostMountsOf = (labId: string) => readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((line) => line.includes(labId));

describe('a bwrap lab\'s folders', () => {
  let driver: SandboxDriver;
  const sandboxes: Sandbox[] = [];
  after(async () => {
    for (const sandbox of sandboxes) await sandbox.destroy();
    await driver?.close();
  });

  it(`are size- and inode-limited tmpfs mounts in the lab, none of them on the host (${LABS} labs)`, async () => {
    driver = await makeDriver('bwrap', `lab-mounts-${process.pid}`);
    for (let i = 0; i < LABS; i++) sandboxes.push(await driver.create(testLimits));
    for (const sandbox of sandboxes) {
      assert.deepEqual(hostMountsOf(sandbox.labId), [], 'the lab\'s mounts are in the host\'s mount table');
      const seen = await sandbox.exec(['/bin/sh', '-c', 'cat /proc/self/mounts'], { timeoutMs: 10_000, maxOutputBytes: 1 << 20 });
      const table = seen.stdout.toString();
      for (const folder of ['/home/learner', '/tmp', '/dev/shm']) {
        const line = table.split('\n').find((l) => l.split(' ')[1] === folder);
        assert.ok(line, `${folder} is a mount in the lab:\n${table}`);
        assert.match(line, /^socketlab-\w+ \S+ tmpfs /, `${folder} is one of the lab's tmpfs: ${line}`);
        assert.match(line, new RegExp(`size=${testLimits.tmpBytes / 1024}k`), `${folder} has the lab's size limit: ${line}`);
        assert.match(line, new RegExp(`nr_inodes=${testLimits.inodes}`), `${folder} has the lab's inode limit: ${line}`);
      }
      assert.match(table, /^socketlab-go \S+ overlay /m, `the Go cache's overlay is there:\n${table}`);
    }
  });

  it('a lab that ends leaves nothing on the host', async () => {
    const sandbox = sandboxes.shift()!;
    await sandbox.destroy();
    assert.deepEqual(hostMountsOf(sandbox.labId), []);
  });
});
