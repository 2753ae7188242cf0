/**
 * Every Docker lab ran as host uid 1000, and every bwrap server instance handed out lab uids from
 * the same first one, so labs of two servers on one machine shared a host uid (and could signal
 * each other). Each lab now has a host uid no other lab on the machine has: bwrap takes it with a
 * lock link in /run/socketlab/lab-uids, Docker by naming the lab's container after it. Inside, the
 * uid is still called `learner`.
 */
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { UID_LOCKS_DIR } from '../../sandbox/drivers/lab-uids.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { initPid, makeDriver, testLimits } from '../support/sandboxes.ts';

/** The host uid a lab's first process runs as. */
function hostUid(driver: 'bwrap' | 'docker', instance: string, labId: string): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${initPid(driver, instance, labId)}/status`, 'utf8'))![1]);
}

for (const name of testDrivers()) describe(`on ${name}`, () => {
  const drivers: SandboxDriver[] = [];
  const sandboxes: Sandbox[] = [];
  after(async () => {
    for (const sandbox of sandboxes) await sandbox.destroy();
    for (const driver of drivers) await driver.close();
  });

  it('gives labs of two server instances different host uids, none of them 1000 or root', async () => {
    const instances = [`uids-a-${process.pid}-${name}`, `uids-b-${process.pid}-${name}`];
    const labs: { instance: string; sandbox: Sandbox }[] = [];
    for (const instance of instances) {
      const driver = await makeDriver(name, instance);
      drivers.push(driver);
      for (let i = 0; i < 2; i++) {
        const sandbox = await driver.create(testLimits);
        sandboxes.push(sandbox);
        labs.push({ instance, sandbox });
      }
    }
    const uids = labs.map(({ instance, sandbox }) => hostUid(name, instance, sandbox.labId));
    assert.equal(new Set(uids).size, uids.length, `every lab has a host uid of its own: ${uids.join(', ')}`);
    for (const uid of uids) assert.ok(uid >= 200_000, `host uid ${uid} is outside the labs' range`);
    for (const { sandbox } of labs) {
      const result = await sandbox.exec(['/bin/sh', '-c', 'whoami; echo "$HOME"; touch ~/mine && ls -l ~/mine'], { timeoutMs: 10_000, maxOutputBytes: 1 << 16 });
      assert.match(Buffer.from(result.stdout).toString(), /^learner\n\/home\/learner\n-rw-r--r-- 1 learner learner 0 /, `the uid is called learner, and owns home: ${result.stderr}`);
    }
    if (name === 'bwrap') {
      const { sandbox, instance } = labs[0]!;
      const uid = uids[0]!;
      const lock = `${UID_LOCKS_DIR}/${uid}`;
      assert.equal(readlinkSync(lock), `${instance}/${sandbox.labId}`, 'a running lab holds its uid');
      await sandbox.destroy();
      assert.equal(lstatSync(lock, { throwIfNoEntry: false }), undefined, 'an ended lab frees its uid');
    }
  });
});
