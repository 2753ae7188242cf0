/**
 * The Sockets view in Chromium against the real server, on every sandbox driver: opened from the
 * lab's bar, it draws the listener and the connection between two terminals' programs, lists the
 * same in its table, shows a hostile process name as text, and is gone once closed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, launchChromium, waitForScreen } from './browser-support.ts';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function typeIn(page: Page, terminal: string, command: string): Promise<void> {
  await waitForScreen(page, terminal, ['$ ']);
  await page.locator(`#lab-term-${terminal}-tab`).click();
  await page.keyboard.type(`${command}\n`);
}

for (const driver of testDrivers()) {
  describe(`the Sockets view in the lab panel (${driver})`, { timeout: 120_000 }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
    });
    after(async () => {
      await server?.stop();
    });

    it('draws the listener and the connection, lists them in its table, and goes when closed', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${server.base}/tcp/`);
      await page.getByRole('button', { name: 'Open the lab' }).click();
      await typeIn(page, 'server', 'nc -l 127.0.0.1 7000');
      // The client names itself with markup: it must show as text, never become an element.
      await typeIn(page, 'client', `bash -c 'printf "<i>evil</i>" > /proc/$$/comm; exec 3<>/dev/tcp/127.0.0.1/7000; read -r line'`);
      await page.getByRole('button', { name: 'Sockets', exact: true }).click();

      const drawing = page.locator('.mscope-drawing');
      await drawing.locator('.mscope-socket[data-state="LISTEN"]', { hasText: '127.0.0.1:7000' }).waitFor({ timeout: 20_000 });
      await drawing.locator('path.mscope-connection[data-state="ESTABLISHED"]').first().waitFor({ timeout: 20_000 });
      assert.equal(await drawing.locator('.mscope-listener').count(), 1, 'the listener is marked');
      const titles = await drawing.locator('.mscope-process-title').allTextContents();
      assert.ok(titles.some((t) => /^pid \d+ {2}nc$/.test(t)), `a box for nc: ${JSON.stringify(titles)}`);
      assert.ok(titles.some((t) => /^pid \d+ {2}<i>evil<\/i>$/.test(t)), `the hostile name as text: ${JSON.stringify(titles)}`);
      assert.equal(await page.locator('.mscope i').count(), 0, 'no element made from a process name');
      assert.match((await drawing.getAttribute('aria-label')) ?? '', /1 connections? drawn/);

      await page.getByRole('button', { name: 'Table', exact: true }).click();
      const rows = page.locator('.mscope-table tbody tr');
      await rows.first().waitFor();
      const listed = (await rows.allTextContents()).join('\n');
      assert.match(listed, /LISTEN \(queue 0\/\d+\).*127\.0\.0\.1:7000/);
      assert.equal(await page.locator('.mscope-table tbody tr[data-state="ESTABLISHED"]').count(), 2, `both ends listed:\n${listed}`);
      assert.match(listed, /<i>evil<\/i>/);
      assert.deepEqual(await axeViolations(page), [], 'no serious accessibility problem with the table');
      await page.getByRole('button', { name: 'Drawing', exact: true }).click();
      await drawing.waitFor();
      assert.deepEqual(await axeViolations(page), [], 'none with the drawing');

      await page.getByRole('button', { name: 'Close the Sockets view' }).click();
      assert.equal(await page.locator('.mscope').count(), 0, 'the view removed what it made');
      assert.equal(await page.locator('.lab-microscope-slot').isHidden(), true);
      await page.close();
    });
  });
}
