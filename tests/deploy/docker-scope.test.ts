/**
 * What the server does with the Docker engine it is given (in compose, the host's socket, which is
 * as good as root on the host): it only ever creates containers of the lab image, always with the
 * fixed safety options and its labels, and removes only containers that carry its labels with its
 * instance's name. Checked against a recording stand-in for the engine (every option sent), and
 * against the real engine for removal (a container with other labels must survive).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import { DockerDriver } from '../../sandbox/drivers/docker.ts';
import { CHECKER_DIR } from '../../sandbox/drivers/checker-user.ts';
import type { LabLimits } from '../../wire/lab-api.ts';
import { dockerAnswers } from '../support/drivers.ts';

const LIMITS: LabLimits = {
  memoryBytes: 512 * 1024 * 1024,
  pids: 256,
  cpus: 1,
  tmpBytes: 64 * 1024 * 1024,
  inodes: 16384,
  terminals: 6,
  idleSeconds: 900,
  ttlSeconds: 7200,
};

/** A stand-in for dockerode that records every call and answers like an engine would. */
function recordingEngine() {
  const calls = { created: [] as Docker.ContainerCreateOptions[], listed: [] as Docker.ContainerListOptions[], removed: [] as string[] };
  const helpers = new Set<string>();
  const container = (id: string) => ({
    id,
    attach: async () => {
      const output = new PassThrough();
      // lab-init.sh's "ready", once the container has started.
      setImmediate(() => output.write('ready\n'));
      return output;
    },
    start: async () => {},
    // The engine answers a wait when the container stops: a lab's never does by itself; the
    // one-shot loopback helper (it shares a lab's network) exits 0 at once.
    wait: () => (helpers.has(id) ? Promise.resolve({ StatusCode: 0 }) : new Promise(() => {})),
    logs: async () => Buffer.alloc(0),
    remove: async () => void calls.removed.push(id),
  });
  let next = 0;
  const engine = {
    ping: async () => 'OK',
    getImage: () => ({ inspect: async () => ({ Id: 'sha256:lab' }) }),
    createContainer: async (options: Docker.ContainerCreateOptions) => {
      calls.created.push(options);
      const id = `container-${++next}`;
      if (options.HostConfig?.NetworkMode?.startsWith('container:')) helpers.add(id);
      return container(id);
    },
    listContainers: async (options: Docker.ContainerListOptions) => {
      calls.listed.push(options);
      return [{ Id: 'orphan-1' }];
    },
    getContainer: (id: string) => container(id),
  };
  return { calls, engine: engine as unknown as Docker };
}

describe('the Docker driver keeps to its own containers', () => {
  it('creates only lab-image containers with the fixed safety options and its labels', async () => {
    const { calls, engine } = recordingEngine();
    const driver = await DockerDriver.connect({ image: 'socketlab/lab:latest', instance: 'class-a', docker: engine });
    const sandbox = await driver.create(LIMITS);
    // The lab's container, then a one-shot helper that sets up its loopback (lab-network.ts).
    assert.equal(calls.created.length, 2);
    const options = calls.created[0]!;
    const host = options.HostConfig!;
    assert.equal(options.Image, 'socketlab/lab:latest', 'only the configured lab image');
    // The learner, never root: a host uid of the lab's own, from the labs' range, which names the container.
    const [, uid, gid] = /^(\d+):(\d+)$/.exec(options.User ?? '') ?? [];
    assert.ok(Number(uid) >= 300_000 && Number(uid) < 400_000 && gid === uid, `User ${options.User} is a lab uid`);
    assert.equal((options as { name?: string }).name, `socketlab-uid-${uid}`);
    assert.deepEqual(options.Labels, { 'org.socketlab.instance': 'class-a', 'org.socketlab.lab': sandbox.labId });
    assert.deepEqual(host.LogConfig, { Type: 'none', Config: {} }, 'no log on the host\'s disk');
    assert.equal(host.NetworkMode, 'none', 'no network but its own loopback');
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.CapDrop, ['ALL']);
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
    assert.equal(host.PidsLimit, LIMITS.pids);
    assert.equal(host.Memory, LIMITS.memoryBytes);
    assert.equal(host.MemorySwap, LIMITS.memoryBytes, 'no swap on top of the memory limit');
    assert.equal(host.NanoCpus, LIMITS.cpus * 1e9);
    assert.equal(host.IpcMode, 'private');
    // Nothing of the host reaches in: no privileges, devices, binds, volumes or published ports.
    for (const key of ['Privileged', 'Binds', 'Mounts', 'Devices', 'PortBindings', 'CapAdd', 'PidMode', 'UsernsMode', 'VolumesFrom'] as const) {
      assert.ok(host[key] === undefined || host[key] === false, `HostConfig.${key} is not set (${JSON.stringify(host[key])})`);
    }
    assert.equal(options.Volumes, undefined);
    assert.deepEqual(Object.keys(host.Tmpfs ?? {}).sort(), ['/dev/shm', '/home/learner', CHECKER_DIR, '/run/socketlab', '/tmp']);
    for (const [path, mount] of Object.entries(host.Tmpfs ?? {})) {
      assert.match(mount, /(^|,)nosuid(,|$)/, `${path} is nosuid`);
      assert.match(mount, /(^|,)nodev(,|$)/, `${path} is nodev`);
      assert.match(mount, /(^|,)size=\d+/, `${path} has a size limit`);
      assert.match(mount, /(^|,)nr_inodes=\d+/, `${path} has an inode limit`);
      // The checker's files are root's, so the learner cannot swap them (a pass cannot be faked).
      const owner = path === CHECKER_DIR ? '0' : uid;
      assert.match(mount, new RegExp(`(^|,)uid=${owner},gid=${owner}(,|$)`), `${path} belongs to ${path === CHECKER_DIR ? 'root' : 'the lab\'s uid'}`);
    }
    assert.match(host.Tmpfs![CHECKER_DIR]!, /(^|,)mode=0755(,|$)/, 'the learner can read the checker\'s files, not write them');

    // The loopback helper: the lab image, in the lab's network namespace only, NET_ADMIN and nothing
    // else, the lab's labels, and removed once it has run (before the lab is handed out).
    const helper = calls.created[1]!;
    assert.equal(helper.Image, 'socketlab/lab:latest');
    assert.deepEqual(helper.Labels, options.Labels);
    assert.equal(helper.HostConfig!.NetworkMode, 'container:container-1');
    assert.deepEqual(helper.HostConfig!.CapDrop, ['ALL']);
    assert.deepEqual(helper.HostConfig!.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(helper.HostConfig!.SecurityOpt, ['no-new-privileges']);
    assert.equal(helper.HostConfig!.ReadonlyRootfs, true);
    for (const key of ['Privileged', 'Binds', 'Mounts', 'Devices', 'PortBindings', 'PidMode', 'UsernsMode', 'VolumesFrom', 'Tmpfs'] as const) {
      assert.ok(helper.HostConfig![key] === undefined || helper.HostConfig![key] === false, `the helper's HostConfig.${key} is not set`);
    }
    assert.deepEqual(calls.removed, ['container-2'], 'the helper is removed once it has run');

    await sandbox.destroy();
    assert.deepEqual(calls.removed, ['container-2', 'container-1'], 'ending a lab removes its own container and nothing else');
  });

  it('removes orphans by both of its labels and its instance name only', async () => {
    const { calls, engine } = recordingEngine();
    const driver = await DockerDriver.connect({ image: 'socketlab/lab:latest', instance: 'class-a', docker: engine });
    assert.equal(await driver.removeOrphans(), 1);
    assert.equal(calls.listed.length, 1);
    assert.deepEqual([...(calls.listed[0]!.filters as { label: string[] }).label].sort(), ['org.socketlab.instance=class-a', 'org.socketlab.lab']);
    assert.deepEqual(calls.removed, ['orphan-1']);
  });

  const noEngine = dockerAnswers() ? null : 'no Docker engine answers (`docker info` failed)';
  it('on a real engine, leaves alone containers that are not its labs', { skip: noEngine && !process.env.CI ? noEngine : false }, async () => {
    if (noEngine) assert.fail(`CI must run this test, but ${noEngine}.`);
    const root = resolve(import.meta.dirname, '../..');
    const image = spawnSync('bash', ['scripts/base-image.sh'], { cwd: root, encoding: 'utf8', timeout: 10 * 60_000 }).stdout.trim();
    assert.ok(image, 'scripts/base-image.sh names a base image');
    const instance = `scope-${process.pid}`;
    const create = (...labels: string[]) => {
      const result = spawnSync('docker', ['create', '--network', 'none', ...labels.flatMap((l) => ['--label', l]), image, 'true'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.trim();
    };
    const exists = (id: string) => spawnSync('docker', ['container', 'inspect', id], { stdio: 'ignore' }).status === 0;
    const orphan = create(`org.socketlab.instance=${instance}`, 'org.socketlab.lab=0123456789abcdef0123456789abcdef');
    const decoys = [
      create(`org.socketlab.instance=${instance}`), // the instance label alone: not one of its labs
      create(`org.socketlab.instance=${instance}-other`, 'org.socketlab.lab=0123456789abcdef0123456789abcdef'), // another server's
      create('org.socketlab.lab=0123456789abcdef0123456789abcdef'),
    ];
    try {
      const driver = await DockerDriver.connect({ image, instance });
      assert.equal(await driver.removeOrphans(), 1);
      assert.equal(exists(orphan), false, 'its own orphan is removed');
      for (const decoy of decoys) assert.equal(exists(decoy), true, 'a container that is not one of its labs survives');
    } finally {
      spawnSync('docker', ['rm', '-f', orphan, ...decoys], { stdio: 'ignore' });
    }
  });
});
