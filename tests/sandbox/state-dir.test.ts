/**
 * A STATE_DIR the labs' users cannot reach (inside a mkdtemp folder, mode 0700) used to fail every
 * lab with bwrap's bare "Permission denied"; the server now says at start what is wrong and what to
 * do, on /healthz and in lab answers, and keeps serving the site.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startTestServer } from '../support/server-harness.ts';

it('refuses a STATE_DIR inside a folder the labs cannot enter, naming it and the fix', async () => {
  const closed = mkdtempSync(join(tmpdir(), 'sl-closed-')); // mode 0700
  const server = await startTestServer({ STATE_DIR: join(closed, 'state') });
  try {
    const health = await fetch(`${server.base}/healthz`);
    assert.equal(health.status, 503);
    const body = (await health.json()) as { reason: string; error: string };
    assert.equal(body.reason, 'no-sandbox');
    assert.match(body.error, new RegExp(`STATE_DIR ${join(closed, 'state')} is inside ${closed} \\(mode 0700\\), which the labs' users cannot enter`));
    assert.match(body.error, /chmod o\+x/);
    const lab = await fetch(`${server.base}/api/labs`, { method: 'POST' });
    assert.equal(lab.status, 503);
    assert.equal((await fetch(`${server.base}/tcp/`)).status, 200, 'the site is still served');
  } finally {
    await server.stop();
  }
});
