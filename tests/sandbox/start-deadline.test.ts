/**
 * A sandbox that never says it is ready used to keep create() (and with it the server's shutdown,
 * which waits for labs still starting) waiting forever. Both drivers now give up after a deadline,
 * say what did not happen, and leave nothing behind. A start is made slow for real: the lab's CPU
 * limit is 1% of a core, so setting up its home takes seconds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LabCgroup } from '../../sandbox/drivers/cgroups.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

for (const name of testDrivers()) describe(`on ${name}`, () => {
  it('gives up a start that outlives its deadline, naming what did not happen, and leaves no cgroup, mount or container', async () => {
    const instance = `start-deadline-${process.pid}-${name}`;
    const startTimeoutMs = 1000;
    const driver = await makeDriver(name, instance, { startTimeoutMs });
    try {
      const startedAt = performance.now();
      await assert.rejects(driver.create({ ...testLimits, cpus: 0.01 }), /did not start within 1 s: /);
      const took = performance.now() - startedAt;
      // The deadline, plus removing what was started (a container's removal takes a moment).
      assert.ok(took < startTimeoutMs + 8000, `create() gave up after ${Math.round(took)} ms`);
      assert.deepEqual(LabCgroup.existing(instance), [], 'no cgroup is left');
      assert.doesNotMatch(readFileSync('/proc/self/mounts', 'utf8'), new RegExp(`/labs/${instance}/`), 'no lab folder is left mounted');
      if (name === 'docker') {
        const left = execFileSync('docker', ['ps', '-a', '--filter', `label=org.socketlab.instance=${instance}`, '--format', '{{.Names}} {{.Image}} {{.Status}} {{.Command}}'], { encoding: 'utf8' }).trim();
        assert.equal(left, '', 'no container is left');
      }
    } finally {
      await driver.close();
    }
  });
});
