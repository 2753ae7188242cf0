/**
 * A server that cannot start says why and leaves nothing running: no sandbox (the warm pool starts
 * them as soon as the driver exists), no timer holding the process open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LabCgroup } from '../../sandbox/drivers/cgroups.ts';
import { startTestServer } from '../support/server-harness.ts';

describe('a server that cannot start', () => {
  it('without a built site: names the folder and the command, and starts no sandbox', async () => {
    const instance = `no-site-${process.pid}`;
    const siteDir = mkdtempSync(join(tmpdir(), 'sl-no-site-'));
    await assert.rejects(startTestServer({ SITE_DIR: siteDir, SANDBOX_INSTANCE: instance, LAB_WARM_POOL: '2' }), (err: Error) => {
      assert.match(err.message, /No built site in .*sl-no-site-.*\/client\. Run `npm run build` first/);
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a pool's fills would have begun by now
    assert.deepEqual(LabCgroup.existing(instance), [], 'sandboxes started by a server that failed to start');
  });
});
