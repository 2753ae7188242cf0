/**
 * "You already have 1 lab open": in Chromium against the real server, on every driver, the panel
 * lists the labs this browser started (another tab holds the one over the cap) with End buttons;
 * ending one starts the lab the learner asked for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { labId, launchChromium, waitForScreen } from './browser-support.ts';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const driver of testDrivers()) {
  describe(`over the per-client cap (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, MAX_LABS_PER_CLIENT: '1' });
    });
    after(async () => {
      await server?.stop();
    });

    it('the panel lists this browser\'s labs with End buttons, and ending one starts the new lab', async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const first = await context.newPage();
      await first.goto(`${server.base}/tcp/`);
      await first.getByRole('button', { name: 'Open the lab' }).click();
      await waitForScreen(first, 'server', ['$ ']);
      const held = await labId(first);
      await first.close(); // the tab that held the token is gone; the lab runs on

      const second = await context.newPage();
      await second.goto(`${server.base}/udp/`);
      await second.getByRole('button', { name: 'Open the lab' }).click();
      const overlay = second.locator('.lab-overlay');
      await overlay.getByText('You already have 1 lab open (the limit is 1)').waitFor();
      const item = overlay.locator('.lab-own-labs li');
      await item.first().waitFor();
      assert.equal(await item.count(), 1);
      assert.match(await item.innerText(), /A lab started \w{3}, \d{1,2} \w{3} \d{4}, \d\d:\d\d \S+ on \/tcp\//, 'when (with its time zone) and where it started');

      await item.getByRole('button', { name: /^End the lab started/ }).click();
      await waitForScreen(second, 'server', ['$ ']);
      const started = await labId(second);
      assert.ok(started && started !== held, 'a new lab started');
      assert.equal(server.labs.get(held!), undefined, 'the old lab ended');
      await context.close();
    });
  });
}
