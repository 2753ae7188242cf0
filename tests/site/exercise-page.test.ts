/**
 * An exercise page, in Chromium against the real server, on every driver: after "Start in the
 * lab" it offers Run and Edit for the starter in the chosen language (not another's), Files opens
 * that language's main file, Run builds and starts it in the lab; a program that never starts
 * shows its cause once and the other checks "Not run because ...".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium, screen, waitForScreen } from './browser-support.ts';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const driver of testDrivers()) {
  describe(`an exercise page (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
    });
    after(async () => {
      await server?.stop();
    });

    it('offers Run and Edit for the chosen language after Start; Files opens its main file; Run builds and starts it', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${server.base}/exercises/tcp-echo/`);
      const section = page.locator('[data-exercise]');
      assert.equal(await section.locator('[data-run-lang]:visible').count(), 0, 'nothing to run before the starter is in the lab');
      await section.locator('select[data-lang]').selectOption('go');
      await section.getByRole('button', { name: 'Start in the lab' }).click();
      await section.locator('[data-status]', { hasText: 'Your files are in ~/exercises/tcp-echo/go/' }).waitFor({ timeout: 30_000 });

      const shown = section.locator('[data-run-lang]:visible');
      assert.equal(await shown.count(), 1);
      assert.equal(await shown.getAttribute('data-run-lang'), 'go');
      assert.match(await shown.locator('pre').innerText(), /^cd ~\/exercises\/tcp-echo\/go && go build -o server server\.go && \.\/server 9000$/);

      await page.getByRole('button', { name: 'Open the lab' }).click();
      await page.getByRole('button', { name: 'Files' }).click();
      await page.locator('.lab-editor-status', { hasText: 'Editing ~/exercises/tcp-echo/go/server.go' }).waitFor();

      await shown.getByRole('button', { name: /Run in work/ }).click();
      const text = await waitForScreen(page, 'work', ['listening on 127.0.0.1:9000'], { timeout: 120_000 });
      assert.doesNotMatch(text, /No such file or directory|command not found/);

      await section.locator('select[data-lang]').selectOption('c');
      assert.equal(await section.locator('[data-run-lang]:visible').count(), 0, 'C has not been started: no Run for it');
      await section.locator('select[data-lang]').selectOption('go');
      await shown.getByRole('button', { name: /Edit in the lab/ }).click();
      await page.locator('.lab-editor-status', { hasText: 'Editing ~/exercises/tcp-echo/go/server.go' }).waitFor();
      assert.ok((await screen(page, 'work')).length > 0);
      await page.close();
    });

    it('a program that never starts: its cause once, the other checks "Not run because"', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${server.base}/exercises/tcp-echo/`);
      const section = page.locator('[data-exercise]');
      await section.locator('select[data-lang]').selectOption('ts');
      await section.getByRole('button', { name: 'Start in the lab' }).click();
      await section.locator('[data-status]', { hasText: 'Your files are in' }).waitFor({ timeout: 30_000 });
      const labId = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('socketlab.lab') ?? 'null') as { labId: string; token: string } | null));
      const saved = await fetch(`${server.base}/api/labs/${labId!.labId}/files/exercises/tcp-echo/ts/server.ts`, { method: 'PUT', headers: { Authorization: `Bearer ${labId!.token}` }, body: 'process.exit(3);\n' });
      assert.equal(saved.status, 204);
      await section.getByRole('button', { name: 'Check my work' }).click();
      await section.locator('[data-status]', { hasText: /checks pass/ }).waitFor({ timeout: 60_000 });
      const items = section.locator('[data-results] li');
      const total = await items.count();
      assert.ok(total >= 3);
      assert.equal(await section.locator('[data-results] dt', { hasText: 'Got' }).count(), 1, 'the cause is shown once');
      assert.equal(await section.locator('[data-results] li', { hasText: 'Not run because your program did not start, as in "Echoes a line back" above' }).count(), total - 1);
      await page.close();
    });
  });
}
