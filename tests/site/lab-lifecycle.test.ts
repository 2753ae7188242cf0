/**
 * The lab's life on a page, in Chromium against the real server, on every sandbox driver: what
 * the page creates it disposes (terminals and editors of an ended lab are garbage-collected), the
 * time left keeps ticking in a new lab, a Run on a shell that could not start says so and works
 * after "Try again", and the exercise controls and the panel share one lab (one ticket owner: no
 * second lab, no capacity retry that outlives the lab it waited for).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { createLab, deleteLab } from '../support/lab-client.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { labId, launchChromium, screen, waitForScreen } from './browser-support.ts';

interface LiveObjects {
  terminals: number;
  editors: number;
}

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

/** The terminals and editors still in the page's heap after a full garbage collection. */
async function liveObjectsAfterGc(page: Page): Promise<LiveObjects> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return page.evaluate(() => (window as unknown as { socketLab: { liveObjects(): LiveObjects } }).socketLab.liveObjects());
}

/** Polls until the heap holds `want` (closing sockets and renderers let go within moments). */
async function waitForLiveObjects(page: Page, want: LiveObjects): Promise<LiveObjects> {
  let live = await liveObjectsAfterGc(page);
  for (let i = 0; i < 20 && (live.terminals !== want.terminals || live.editors !== want.editors); i++) {
    await new Promise((r) => setTimeout(r, 250));
    live = await liveObjectsAfterGc(page);
  }
  return live;
}

async function labsRunning(server: TestServer): Promise<number> {
  return ((await (await fetch(`${server.base}/healthz`)).json()) as { labs: number }).labs;
}

/** The lab ticket the page keeps for the tab (what the exercise controls and the panel use). */
function storedLabId(page: Page): Promise<string | null> {
  return page.evaluate(() => (JSON.parse(sessionStorage.getItem('socketlab.lab') ?? 'null') as { labId: string } | null)?.labId ?? null);
}

async function endAndStartNew(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'End lab' }).click();
  await page.locator('.lab-overlay').getByRole('button', { name: 'Start a new lab' }).click();
}

for (const driver of testDrivers()) {
  describe(`the lab's life on a page (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, MAX_TERMINALS_PER_LAB: '3', LAB_GRACE_SECONDS: '6' });
    });
    after(async () => {
      await server?.stop();
    });

    it('a new lab leaves nothing of the old one alive: its terminals and its editor are garbage-collected', async () => {
      const page = await newPage();
      await page.goto(`${server.base}/tcp/`);
      await page.locator('starlight-tabs[data-sync-key="lang"]').first().getByRole('tab', { name: 'C', exact: true }).click();
      for (const file of ['client.c', 'server.c']) {
        await page.locator(`[data-lab-edit="examples/tcp/c/${file}"]:visible`).click();
        await page.locator('.lab-editor-status', { hasText: `Editing ~/examples/tcp/c/${file}` }).waitFor();
      }
      await waitForScreen(page, 'server', ['$ ']);
      assert.deepEqual(await waitForLiveObjects(page, { terminals: 3, editors: 1 }), { terminals: 3, editors: 1 }, 'one editor for file after file');
      for (let round = 0; round < 2; round++) {
        await endAndStartNew(page);
        await waitForScreen(page, 'server', ['$ ']);
        await page.getByRole('button', { name: 'Files' }).click();
        await page.locator('.lab-editor-status', { hasText: 'Editing' }).waitFor();
      }
      assert.deepEqual(await waitForLiveObjects(page, { terminals: 3, editors: 1 }), { terminals: 3, editors: 1 }, 'the ended labs\' terminals and editors are gone');
      await page.close();
    });

    it('a Run on a shell that could not start says why and offers "Try again"; after it, Run works', async () => {
      const page = await newPage();
      await page.goto(`${server.base}/tcp/`);
      await page.getByRole('button', { name: 'Open the lab' }).click();
      for (const name of ['server', 'client', 'client2']) await waitForScreen(page, name, ['$ ']);
      // The lab follows to the next page, where a fourth shell is one too many (the limit is 3)
      // until the three left behind end (LAB_GRACE_SECONDS after their page closed them).
      await page.goto(`${server.base}/compare/`);
      const bench = page.locator('.lab-pane[data-term="bench"]');
      await bench.locator('.lab-pane-state', { hasText: 'the limit is 3' }).waitFor();
      const run = page.locator('[data-lab-run="bench"]:visible').first();
      await run.click();
      await page.locator('.lab-notice', { hasText: 'Not run: the shell in terminal "bench" could not start' }).waitFor({ timeout: 5000 });
      const retry = bench.getByRole('button', { name: 'Try again' });
      await retry.waitFor({ timeout: 5000 });
      await new Promise((r) => setTimeout(r, 7000)); // the three shells left on /tcp/ end
      await retry.click();
      await waitForScreen(page, 'bench', ['$ ']);
      const from = (await screen(page, 'bench')).length;
      await run.click();
      await waitForScreen(page, 'bench', ['$ cd '], { from });
      await page.close();
    });
  });

  describe(`the time left (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_TTL_SECONDS: '75' });
    });
    after(async () => {
      await server?.stop();
    });

    it('keeps ticking in a lab started with "Start a new lab"', async () => {
      const page = await newPage();
      await page.goto(`${server.base}/udp/`);
      await page.getByRole('button', { name: 'Open the lab' }).click();
      await waitForScreen(page, 'server', ['$ ']);
      await endAndStartNew(page);
      await waitForScreen(page, 'server', ['$ ']);
      const time = page.locator('.lab-time');
      assert.equal(await time.textContent(), '1 min left');
      // The clock ticks every 15 s; the new lab has under a minute left 16 s after it started.
      await time.filter({ hasText: 'under a minute left' }).waitFor({ timeout: 40_000 });
      await page.close();
    });
  });

  describe(`one lab for the exercise controls and the panel (${driver})`, () => {
    /** Each test has its own server, so one that fails leaves no lab behind for the next. */
    async function withServer(env: Record<string, string>, test: (server: TestServer) => Promise<void>): Promise<void> {
      const server = await startTestServer({ SANDBOX_DRIVER: driver, ...env });
      try {
        await test(server);
      } finally {
        await server.stop();
      }
    }

    it('"Open the lab" and "Start in the lab" pressed together start one lab, which both use', () =>
      withServer({ MAX_LABS: '2' }, async (server) => {
        const page = await newPage();
        await page.goto(`${server.base}/exercises/tcp-echo/`);
        await page.evaluate(() => {
          document.querySelector<HTMLButtonElement>('.lab-launcher')!.click();
          document.querySelector<HTMLButtonElement>('[data-action="start"]')!.click();
        });
        await page.locator('[data-status]', { hasText: 'Your files are in ~/exercises/tcp-echo/' }).waitFor({ timeout: 30_000 });
        await waitForScreen(page, 'work', ['$ ']);
        assert.equal(await labsRunning(server), 1, 'one lab');
        assert.equal(await labId(page), await storedLabId(page), 'the panel\'s lab is the one the exercise controls use');
        await page.close();
      }));

    it('a lab the exercise controls start while the panel waits for capacity becomes the panel\'s lab; its retry starts no other', () =>
      withServer({ MAX_LABS: '2' }, async (server) => {
        const blockers = [await createLab(server.base), await createLab(server.base)];
        const page = await newPage();
        await page.goto(`${server.base}/exercises/tcp-echo/`);
        await page.getByRole('button', { name: 'Open the lab' }).click();
        await page.locator('.lab-overlay').filter({ hasText: 'lab slots are in use' }).waitFor();
        assert.equal(await deleteLab(server.base, blockers[0]!), 204);
        await page.getByRole('button', { name: 'Start in the lab' }).click();
        await page.locator('[data-status]', { hasText: 'Your files are in ~/exercises/tcp-echo/' }).waitFor({ timeout: 30_000 });
        const exerciseLab = await storedLabId(page);
        // One slot is left for the panel's retry: it must not take it.
        assert.equal(await deleteLab(server.base, blockers[1]!), 204);
        await new Promise((r) => setTimeout(r, 21_000)); // past the 20 s automatic retry
        assert.equal(await labsRunning(server), 1, 'no second lab');
        assert.equal(await labId(page), exerciseLab, 'the panel shows the exercise\'s lab');
        assert.equal(await storedLabId(page), exerciseLab);
        await waitForScreen(page, 'work', ['$ ']);
        assert.equal(await page.locator('.lab-overlay').isHidden(), true);
        await page.close();
      }));
  });
}
