/**
 * A Docker lab's output went to the engine's json-file log, which has no size limit: a learner's
 * `cat /dev/zero > /proc/1/fd/1` (the output of the container's init) filled the host's disk. Lab
 * containers now have no log at all.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

const WRITTEN = 8 << 20;

let driver: SandboxDriver | undefined;
let sandbox: Sandbox | undefined;
after(async () => {
  await sandbox?.destroy();
  await driver?.close();
});

it('a Docker lab writing to its init\'s output grows no log on the host', { skip: !testDrivers().includes('docker') && 'no Docker engine answers' }, async () => {
  const instance = `container-log-${process.pid}`;
  driver = await makeDriver('docker', instance);
  sandbox = await driver.create(testLimits);
  const id = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=org.socketlab.lab=${sandbox.labId}`], { encoding: 'utf8' }).trim();
  const result = await sandbox.exec(['/bin/sh', '-c', `head -c ${WRITTEN} /dev/zero > /proc/1/fd/1 && echo written`], { timeoutMs: 60_000, maxOutputBytes: 1 << 16 });
  assert.equal(Buffer.from(result.stdout).toString(), 'written\n', `the learner can write there: ${result.stderr}`);
  const inspected = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0] as { HostConfig: { LogConfig: { Type: string } }; LogPath: string };
  const folder = join(execFileSync('docker', ['info', '--format', '{{.DockerRootDir}}'], { encoding: 'utf8' }).trim(), 'containers', id);
  const logged = readdirSync(folder).filter((f) => f.endsWith('.log')).map((f) => statSync(join(folder, f)).size);
  assert.deepEqual(
    { log: inspected.HostConfig.LogConfig.Type, path: inspected.LogPath, logged },
    { log: 'none', path: '', logged: [] },
    `${WRITTEN} bytes written, a log of ${logged.join(' + ')} bytes on the host`,
  );
});
