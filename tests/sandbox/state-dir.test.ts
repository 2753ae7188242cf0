/**
 * STATE_DIR is where the bwrap driver, run as root, writes the labs' /etc files and mounts their
 * folders. A STATE_DIR the labs' users cannot reach used to fail every lab with bwrap's bare
 * "Permission denied"; one that someone else owns or can write (the old default was in /tmp, where
 * anyone could make it first) let them swap what root writes or mounts for a symlink to /etc. The
 * server now refuses such a STATE_DIR at start, saying what is wrong and what to do, on /healthz and
 * in lab answers, and keeps serving the site; inside it, nothing is written through a symlink.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BwrapDriver, type BwrapOptions } from '../../sandbox/drivers/bwrap.ts';
import { ROOT } from '../support/examples.ts';
import { testLimits } from '../support/sandboxes.ts';
import { startTestServer } from '../support/server-harness.ts';

const NOBODY = 65534;

/** Starts a server with `stateDir` and returns the error /healthz reports (after checking labs are off and the site is on). */
async function refusal(stateDir: string): Promise<string> {
  const server = await startTestServer({ STATE_DIR: stateDir });
  try {
    const health = await fetch(`${server.base}/healthz`);
    const body = (await health.json()) as { reason: string; error: string };
    assert.equal(health.status, 503, `the server accepted STATE_DIR ${stateDir}: ${JSON.stringify(body)}`);
    assert.equal(body.reason, 'no-sandbox');
    assert.equal((await fetch(`${server.base}/api/labs`, { method: 'POST' })).status, 503);
    assert.equal((await fetch(`${server.base}/tcp/`)).status, 200, 'the site is still served');
    return body.error;
  } finally {
    await server.stop();
  }
}

describe('a STATE_DIR the server cannot trust is refused, naming it and the fix', () => {
  it('inside a folder the labs cannot enter', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'sl-closed-')); // mode 0700
    const error = await refusal(join(closed, 'state'));
    assert.match(error, new RegExp(`STATE_DIR ${join(closed, 'state')} is inside ${closed} \\(mode 0700\\), which the labs' users cannot enter`));
    assert.match(error, /chmod o\+x/);
  });

  it('owned by another user', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
    chownSync(stateDir, NOBODY, NOBODY);
    const error = await refusal(stateDir);
    assert.match(error, new RegExp(`STATE_DIR ${stateDir} belongs to uid ${NOBODY}, not to the server's user \\(uid 0\\)`));
    assert.match(error, /Remove it \(the server makes it again\) or set STATE_DIR to a folder only root can write/);
  });

  it('writable by others', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
    chmodSync(stateDir, 0o777);
    const error = await refusal(stateDir);
    assert.match(error, new RegExp(`STATE_DIR ${stateDir} can be written by others \\(mode 0777\\)`));
    assert.match(error, new RegExp(`Run \`chmod go-w ${stateDir}\``));
  });

  it('inside a folder another user owns, who could swap it for their own', async () => {
    const theirs = mkdtempSync(join(tmpdir(), 'sl-theirs-'));
    chmodSync(theirs, 0o755);
    chownSync(theirs, NOBODY, NOBODY);
    const error = await refusal(join(theirs, 'state'));
    assert.match(error, new RegExp(`STATE_DIR ${join(theirs, 'state')} is inside ${theirs}, which belongs to uid ${NOBODY}`));
  });
});

describe('symlinks planted in STATE_DIR', () => {
  const options = (stateDir: string, instance: string): BwrapOptions => ({
    examplesDir: join(ROOT, 'content/examples'),
    nodeModulesDir: join(ROOT, 'node_modules'),
    stateDir,
    instance,
    goCacheDir: '/var/cache/socketlab/go-build',
  });

  it('a file the driver writes is replaced, not written through', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
    const target = join(mkdtempSync(join(tmpdir(), 'sl-target-')), 'passwd');
    writeFileSync(target, 'the host file\n');
    mkdirSync(join(stateDir, 'bwrap-etc'));
    symlinkSync(target, join(stateDir, 'bwrap-etc', 'passwd'));
    const driver = new BwrapDriver(options(stateDir, `planted-file-${process.pid}`));
    try {
      assert.equal(readFileSync(target, 'utf8'), 'the host file\n', 'the symlink\'s target is untouched');
      const sandbox = await driver.create(testLimits);
      try {
        const result = await sandbox.exec(['/usr/bin/id', '-un'], { timeoutMs: 10_000, maxOutputBytes: 1 << 16 });
        assert.equal(Buffer.from(result.stdout).toString(), 'learner\n', 'the lab has the driver\'s passwd');
      } finally {
        await sandbox.destroy();
      }
    } finally {
      await driver.close();
    }
  });

  it('a folder the driver mounts in is refused', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sl-state-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'sl-elsewhere-'));
    const instance = `planted-folder-${process.pid}`;
    mkdirSync(join(stateDir, 'labs'));
    symlinkSync(elsewhere, join(stateDir, 'labs', instance));
    assert.throws(() => new BwrapDriver(options(stateDir, instance)), new RegExp(`${join(stateDir, 'labs', instance)} is a symlink: something other than this server made it`));
    assert.equal(readlinkSync(join(stateDir, 'labs', instance)), elsewhere);
  });
});
