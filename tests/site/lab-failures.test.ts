/**
 * A lab whose sandbox disappears underneath the page (its container removed with `docker rm -f`,
 * its bwrap init killed from the host), in Chromium against the real server, on every driver: the
 * panel says in plain words that the lab stopped unexpectedly and offers "Start a new lab", which
 * works. No engine text (HTTP codes, "No such container", nsenter) ever reaches the page. And a Run
 * whose shell attached but never prints gives up after its limit and says so, instead of waiting
 * for ever.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { testDrivers, type DriverName } from '../support/drivers.ts';
import { initPid } from '../support/sandboxes.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { Op } from '../../wire/protocol.ts';
import { labId, launchChromium, screen, waitForScreen } from './browser-support.ts';

const ENGINE_TEXT = /HTTP code|no such container|nsenter|OCI runtime|exec failed|\.ts:\d+/i;

/** What the lab shows: the panel (overlay, status, notices, terminal bars) and every terminal's screen. */
async function labText(page: Page): Promise<string> {
  const screens = await page.evaluate(() => {
    const lab = (window as unknown as { socketLab: { terminals(): string[]; screen(n: string): string | null } }).socketLab;
    return lab.terminals().map((name) => lab.screen(name) ?? '');
  });
  return [await page.locator('#lab-panel').innerText(), ...screens].join('\n');
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Removes the lab's sandbox the way an operator (or a crash) would, from outside the server. */
function removeFromOutside(driver: DriverName, server: TestServer, id: string): void {
  if (driver === 'bwrap') process.kill(initPid(driver, server.config.SANDBOX_INSTANCE, id), 'SIGKILL');
  else execFileSync('docker', ['rm', '-f', ...execFileSync('docker', ['ps', '-aq', '--filter', `label=org.socketlab.lab=${id}`], { encoding: 'utf8' }).split('\n').filter(Boolean)]);
}

async function openLab(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Open the lab' }).click();
  await waitForScreen(page, 'server', ['$ ']);
  const id = await labId(page);
  assert.ok(id, 'the page has a lab');
  return id;
}

for (const driver of testDrivers()) {
  describe(`a lab that disappears underneath the page (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
    });
    after(async () => {
      await server?.stop();
    });

    it('the panel says the lab stopped unexpectedly and "Start a new lab" works; no engine text on the page', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${server.base}/tcp/`);
      const first = await openLab(page);

      removeFromOutside(driver, server, first);

      const overlay = page.locator('.lab-overlay');
      await overlay.getByText('This lab stopped unexpectedly').waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('.lab-status').innerText(), 'Ended');
      assert.doesNotMatch(await labText(page), ENGINE_TEXT);

      await overlay.getByRole('button', { name: 'Start a new lab' }).click();
      await waitForScreen(page, 'server', ['$ ']);
      const second = await labId(page);
      assert.ok(second && second !== first, 'a new lab');
      assert.doesNotMatch(await labText(page), ENGINE_TEXT);
      await page.close();
    });

    it('a Run whose shell never prints says so after 30 s and types nothing', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      // Page timers run on a clock the test can move: the 30 s limit passes in no time.
      await page.clock.install();
      // The client terminal's shell attaches (READY comes through) but its output never arrives.
      const heldBack = { frames: 0 };
      await page.routeWebSocket(/\/terminals\/client\?/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => {
          if (typeof message !== 'string' && message[0] === Op.OUTPUT) heldBack.frames++;
          else ws.send(message);
        });
      });
      await page.goto(`${server.base}/tcp/`);
      await page.locator('button[data-lab-run="client"]').first().click();
      await waitForScreen(page, 'server', ['$ ']);
      const notice = page.locator('.lab-notice');
      for (let waited = 0; heldBack.frames === 0 && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      assert.ok(heldBack.frames > 0, 'the client shell printed (and the test held it back)');
      assert.equal(await notice.isVisible(), false, 'no notice before the limit');

      await page.clock.fastForward(31_000);
      await notice.getByText('Not run: the shell in terminal "client" printed nothing in 30 s').waitFor({ timeout: 5000 });
      assert.equal(await screen(page, 'client'), '', 'nothing reached the client terminal');
      await page.close();
    });

    it('a page opened after its lab disappeared starts a new lab and says so', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${server.base}/tcp/`);
      const first = await openLab(page);
      await page.goto('about:blank');
      removeFromOutside(driver, server, first);
      for (let waited = 0; server.labs.get(first) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));

      await page.goto(`${server.base}/tcp/`);
      // The panel was open, so it opens again by itself.
      await waitForScreen(page, 'server', ['$ ']);
      assert.notEqual(await labId(page), first);
      await page.getByText('Your earlier lab had ended').waitFor();
      assert.doesNotMatch(await labText(page), ENGINE_TEXT);
      await page.close();
    });
  });
}
