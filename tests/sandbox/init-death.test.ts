/**
 * A lab whose first process dies (bwrap's namespace init, the container's docker-init) used to stay
 * "running": nothing watched it. The bwrap driver then entered new shells with `nsenter -t <pid>`,
 * a pid the kernel may since have given to any process, another lab's included. Sandboxes now say
 * when they end by themselves, refuse shells and commands afterwards, and the bwrap driver enters
 * through namespace handles it opened at start, never through the pid.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { LabCgroup } from '../../sandbox/drivers/cgroups.ts';
import { WarmPool } from '../../sandbox/drivers/pool.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { bwrapInitPid, initPid, makeDriver, testLimits, within } from '../support/sandboxes.ts';

const execOptions = { timeoutMs: 10_000, maxOutputBytes: 1 << 20 };

for (const name of testDrivers()) describe(`on ${name}`, () => {
  const instance = `init-death-${process.pid}-${name}`;
  const drivers: SandboxDriver[] = [];
  const sandboxes: Sandbox[] = [];
  after(async () => {
    for (const sandbox of sandboxes) await sandbox.destroy();
    for (const driver of drivers) await driver.close();
  });

  async function driver(suffix = ''): Promise<SandboxDriver> {
    const made = await makeDriver(name, instance + suffix);
    drivers.push(made);
    return made;
  }

  it('says it ended when its init is killed from the host; its shell ends and nothing can enter it any more', async () => {
    const sandbox = await (await driver()).create(testLimits);
    sandboxes.push(sandbox);
    const shell = await sandbox.openShell({ cols: 80, rows: 24 });
    let screen = '';
    shell.onData((data) => (screen += Buffer.from(data).toString()));
    const shellExited = new Promise((resolve) => shell.onExit(resolve));
    shell.write(Buffer.from('echo ALIVE\r'));
    for (let waited = 0; !screen.includes('ALIVE\r\n') && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.match(screen, /ALIVE\r\n/, 'the shell answers before the init dies');

    process.kill(initPid(name, instance, sandbox.labId), 'SIGKILL');

    const why = await within(sandbox.ended, 10_000, 'the sandbox saying it ended');
    assert.match(why, /init|container/, `says what ended it: ${why}`);
    await within(shellExited, 10_000, 'the shell exiting');
    await assert.rejects(sandbox.openShell({ cols: 80, rows: 24 }), /has ended/);
    await assert.rejects(sandbox.exec(['/bin/true'], execOptions), /has ended/);
    await sandbox.destroy();
    assert.deepEqual(LabCgroup.existing(instance), [], 'destroy() still removes everything');
  });

  it('a warm pool does not hand out a sandbox that died while it waited', async () => {
    const failures: string[] = [];
    const pool = new WarmPool(await driver('-pool'), { min: 1, max: 1 }, { error: (_fields, message) => failures.push(message) });
    drivers.push(pool);
    const first = await pool.create(testLimits);
    sandboxes.push(first);
    // The pool starts a spare at once; this looks into it to know when that one is ready.
    const ready = (pool as unknown as { ready: Sandbox[] }).ready;
    for (let waited = 0; waited < 30_000 && ready.length === 0; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const spare = ready[0];
    assert.ok(spare, 'the pool started a spare sandbox');
    sandboxes.push(spare);
    process.kill(initPid(name, `${instance}-pool`, spare.labId), 'SIGKILL');
    await within(spare.ended, 10_000, 'the spare saying it ended');
    const second = await pool.create(testLimits);
    sandboxes.push(second);
    assert.notEqual(second.labId, spare.labId, 'the dead sandbox was dropped');
    const result = await second.exec(['/bin/echo', 'ALIVE'], execOptions);
    assert.equal(Buffer.from(result.stdout).toString(), 'ALIVE\n');
    assert.deepEqual(failures, [], 'the pool started every sandbox it tried');
  });

  if (name === 'bwrap') {
    it('a command racing the init\'s death cannot enter the process that reuses its pid (another lab\'s)', async () => {
      const bwrap = await driver('-reuse');
      const victim = await bwrap.create(testLimits);
      const other = await bwrap.create(testLimits);
      sandboxes.push(victim, other);
      await other.exec(['/bin/sh', '-c', 'echo OTHER-LAB-SECRET > ~/secret'], execOptions);
      const victimInit = bwrapInitPid(`${instance}-reuse`, victim.labId);
      const otherInit = bwrapInitPid(`${instance}-reuse`, other.labId);

      // From here to the exec, nothing yields to the event loop: the driver cannot have noticed the
      // death yet, as when a learner's command arrives just after it.
      process.kill(victimInit, 'SIGKILL');
      for (const giveUp = Date.now() + 5000; existsSync(`/proc/${victimInit}`);) {
        if (Date.now() > giveUp) throw new Error(`pid ${victimInit} was not freed within 5 s`);
      }
      const impostor = spawnInLabAtPid(otherInit, victimInit);
      try {
        const outcome = await victim.exec(['/bin/cat', '/home/learner/secret'], execOptions).then(
          (result) => `exit ${result.code}: ${Buffer.from(result.stdout).toString()}${result.stderr}`,
          (err: Error) => err.message,
        );
        assert.doesNotMatch(outcome, /OTHER-LAB-SECRET/, 'the command ran in the other lab');
      } finally {
        impostor.kill();
      }
      await within(victim.ended, 10_000, 'the sandbox saying it ended');
      const still = await other.exec(['/bin/cat', '/home/learner/secret'], execOptions);
      assert.equal(Buffer.from(still.stdout).toString(), 'OTHER-LAB-SECRET\n', 'the other lab is untouched');
    });
  }
});

/**
 * A process inside the lab whose init is `labInit`, given host pid `pid` (the kernel hands out the
 * pid after ns_last_pid next; another process on the machine may take it first, so try again).
 */
function spawnInLabAtPid(labInit: number, pid: number): { kill(): void } {
  const labMnt = readlinkSync(`/proc/${labInit}/ns/mnt`);
  for (let attempt = 0; attempt < 50; attempt++) {
    // nsenter (in the lab's namespaces but its pid one, once it has entered) or the process it
    // forks gets `pid`: pid - 1 may still be held by the dead init's parent (bwrap, not yet reaped).
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 2));
    const child = spawn('nsenter', ['-t', String(labInit), '--user', '--mount', '--net', '--pid', '--ipc', '--uts', '--cgroup', '-S', '1000', '-G', '1000', '--root', '--', '/bin/sleep', '60'], { stdio: 'ignore' });
    const kill = () => {
      for (const target of [child.pid, pid]) {
        try {
          if (target) process.kill(target, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    };
    for (const giveUp = Date.now() + 2000; (child.pid === pid - 1 || child.pid === pid) && Date.now() < giveUp;) {
      try {
        if (readlinkSync(`/proc/${pid}/ns/mnt`) === labMnt) return { kill };
      } catch {
        // not there yet
      }
    }
    child.kill('SIGKILL');
  }
  throw new Error(`could not start a process at pid ${pid}`);
}

