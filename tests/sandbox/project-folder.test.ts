/**
 * A clone in a folder the labs' users cannot enter (root's home, mode 0700, as on a fresh machine
 * where root runs ./socketlab start in /root/socket-lab) used to fail every bwrap lab with
 * "Can't find source path /proc/self/fd/4: Permission denied": bwrap resolves a bind source as the
 * lab's uid. The driver now binds the examples and node_modules read-only into STATE_DIR.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { BwrapDriver } from '../../sandbox/drivers/bwrap.ts';
import { ROOT } from '../support/examples.ts';

const limits = { memoryBytes: 256 << 20, pids: 64, cpus: 1, tmpBytes: 16 << 20, inodes: 4096, terminals: 2, idleSeconds: 60, ttlSeconds: 60 };

it('runs labs from a project inside a folder only root can enter, and leaves no mount behind', async () => {
  const closed = mkdtempSync(join(tmpdir(), 'sl-closed-home-')); // mode 0700, like /root
  const project = join(closed, 'socket-lab');
  cpSync(join(ROOT, 'content/examples'), join(project, 'content/examples'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  const stateDir = mkdtempSync('/tmp/sl-state-');
  const driver = new BwrapDriver({
    examplesDir: join(project, 'content/examples'),
    nodeModulesDir: join(project, 'node_modules'),
    stateDir,
    instance: `project-folder-${process.pid}`,
    goCacheDir: '/var/cache/socketlab/go-build',
  });
  const shared = join(stateDir, 'shared', `project-folder-${process.pid}`);
  try {
    const sandbox = await driver.create(limits);
    try {
      const result = await sandbox.exec(['/bin/sh', '-c', 'cat ~/examples/tcp/c/example.json && test -f ~/node_modules/unix-dgram/package.json && echo NODE-MODULES-OK && touch /opt/socketlab/examples/x'], { timeoutMs: 20_000, maxOutputBytes: 1 << 20 });
      const stdout = Buffer.from(result.stdout).toString();
      assert.ok(stdout.includes(readFileSync(join(ROOT, 'content/examples/tcp/c/example.json'), 'utf8').trim()), `the examples are in the learner's home:\n${stdout}${result.stderr}`);
      assert.match(stdout, /NODE-MODULES-OK/);
      assert.match(result.stderr, /Read-only file system/, 'the shared examples are read-only inside the lab');
    } finally {
      await sandbox.destroy();
    }
  } finally {
    await driver.close();
  }
  assert.equal(existsSync(shared), false, 'closing the driver unmounts and removes its shared views');
  assert.doesNotMatch(readFileSync('/proc/self/mounts', 'utf8'), new RegExp(shared), 'no mount is left');
  assert.equal(existsSync(join(project, 'content/examples/tcp/c/example.json')), true, 'the project is untouched');
  const instanceGroup = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
  assert.equal(existsSync(join(instanceGroup, 'socketlab', `project-folder-${process.pid}`)), false, 'closing the driver removes its instance\'s cgroup');
});
