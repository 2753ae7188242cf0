/**
 * The Packets view's capture (server/microscope/packets-view.ts) as each driver runs it: tcpdump in
 * the lab's network namespace and nothing else of the lab, holding no capability once its socket is
 * open (it drops to an unprivileged user), invisible from inside the lab, and gone with the lab.
 * On Docker, the capture container shares the lab's network namespace only, with CAP_NET_RAW and
 * what dropping to that user takes, on a read-only root with no mounts of the host.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { CAPTURE_SCRIPT } from '../../server/microscope/packets-view.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/drivers/types.ts';
import { testDrivers } from '../support/drivers.ts';
import { makeDriver, testLimits } from '../support/sandboxes.ts';

/** Host processes named tcpdump in network namespace `netns`, with their uid and effective capabilities. */
function tcpdumpsIn(netns: string): { pid: number; uid: number; capEff: string }[] {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).flatMap((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!/^Name:\ttcpdump$/m.test(status) || readlinkSync(`/proc/${pid}/ns/net`) !== netns) return [];
      return [{ pid: Number(pid), uid: Number(/^Uid:\t(\d+)/m.exec(status)![1]), capEff: /^CapEff:\t(\w+)/m.exec(status)![1]! }];
    } catch {
      return []; // gone meanwhile
    }
  });
}

const inLab = async (sandbox: Sandbox, script: string) => Buffer.from((await sandbox.exec(['/bin/sh', '-c', script], { timeoutMs: 10_000, maxOutputBytes: 1 << 16 })).stdout).toString().trim();

for (const name of testDrivers()) describe(`the packet capture on ${name}`, () => {
  let driver: SandboxDriver | undefined;
  let sandbox: Sandbox | undefined;
  after(async () => {
    await sandbox?.destroy();
    await driver?.close();
  });

  it('runs outside the lab, unprivileged once started, and ends with the lab', async () => {
    driver = await makeDriver(name, `capture-${process.pid}`);
    sandbox = await driver.create(testLimits);
    const netns = await inLab(sandbox, 'readlink /proc/self/ns/net');
    const capture = await sandbox.observe({ script: CAPTURE_SCRIPT, args: ['128'], need: 'capture' });
    // The pcap header: tcpdump has opened its socket (and dropped its privileges right after).
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      capture.output.on('data', (chunk: Buffer) => (got += chunk.length) >= 24 && resolve());
      void capture.exited.then(() => reject(new Error('the capture ended before it started')));
    });
    const running = tcpdumpsIn(netns);
    assert.equal(running.length, 1, 'one tcpdump, in the lab\'s network namespace');
    assert.notEqual(running[0]!.uid, 0, 'not root');
    assert.equal(BigInt(`0x${running[0]!.capEff}`), 0n, 'no capability left');
    assert.notEqual(readlinkSync(`/proc/${running[0]!.pid}/ns/pid`), await inLab(sandbox, 'readlink /proc/self/ns/pid'), 'not in the lab\'s pid namespace');
    assert.equal(await inLab(sandbox, 'ps -eo comm | grep -c tcpdump; true'), '0', 'the lab does not see it');

    if (name === 'docker') {
      const lab = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=org.socketlab.lab=${sandbox.labId}`, '--filter', 'label=org.socketlab.observer=capture'], { encoding: 'utf8' }).trim();
      const [inspected] = JSON.parse(execFileSync('docker', ['inspect', lab], { encoding: 'utf8' })) as { HostConfig: Record<string, unknown>; Mounts: unknown[]; Config: { User: string } }[];
      const host = inspected!.HostConfig;
      const labContainer = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `name=^socketlab-uid-`, '--filter', `label=org.socketlab.lab=${sandbox.labId}`], { encoding: 'utf8' }).trim();
      assert.equal(host.NetworkMode, `container:${labContainer}`, 'the lab\'s network namespace');
      assert.ok(!host.PidMode, `its own pid namespace (PidMode ${JSON.stringify(host.PidMode)})`);
      assert.deepEqual(host.CapDrop, ['ALL']);
      assert.deepEqual([...(host.CapAdd as string[])].map((c) => c.replace(/^CAP_/, '')).sort(), ['NET_RAW', 'SETGID', 'SETUID']);
      assert.equal(host.ReadonlyRootfs, true);
      assert.equal(host.Privileged, false);
      assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
      assert.deepEqual(inspected!.Mounts, [], 'nothing of the host mounted');
    }

    await sandbox.destroy();
    await capture.exited;
    assert.deepEqual(tcpdumpsIn(netns), [], 'the capture ends with the lab');
    if (name === 'docker') {
      assert.equal(execFileSync('docker', ['ps', '-aq', '--filter', `label=org.socketlab.lab=${sandbox.labId}`], { encoding: 'utf8' }).trim(), '', 'no container of the lab is left');
    }
  });
});
