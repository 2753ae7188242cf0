/**
 * The lab's layouts, in Chromium against the real server and real labs, on every sandbox driver:
 * beside the lesson the panel leaves it a readable width (at 1000 px it docks at the bottom; it
 * used to leave 68 px); on a 390x844 phone the panel's controls keep one row, one terminal shows
 * at a time with tabs, the next Run button scrolls to above the panel, and the touch key bar's
 * Ctrl-C stops a `sleep 100` and its Ctrl-D ends a `read` (axe clean); at device pixel ratio 2
 * with software GL (where the WebGL renderer drew nothing) the terminal shows its text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, launchChromium, screen, waitForScreen } from './browser-support.ts';

/** 30rem of lesson text: about 60 characters a line, the least the lab may leave the lesson. */
const MIN_LESSON_TEXT_PX = 480;
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function box(page: Page, selector: string): Promise<Box> {
  return page.locator(selector).first().evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });
}

async function openLab(page: Page, path: string, firstTerminal = 'server'): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Open the lab' }).click();
  await waitForScreen(page, firstTerminal, ['$ ']);
}

/** How many pixels of `selector`'s screenshot differ clearly from its top-left pixel (the background). */
async function inkedPixels(page: Page, selector: string): Promise<number> {
  const png = (await page.locator(selector).first().screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0)); // no fetch: the CSP refuses data: URLs
    const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i]! - pixels[0]!) + Math.abs(pixels[i + 1]! - pixels[1]!) + Math.abs(pixels[i + 2]! - pixels[2]!) > 96) inked++;
    }
    return inked;
  }, png);
}

for (const driver of testDrivers()) {
  describe(`the lab's layouts (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
    });
    after(async () => {
      await server?.stop();
    });

    it(`beside the lab the lesson keeps at least ${MIN_LESSON_TEXT_PX} px of text: docked at the bottom at 1000 px, at the side at 1366 px`, async () => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await openLab(page, `${server.base}/tcp/`);
      const lesson = await box(page, '.sl-markdown-content');
      const panel = await box(page, '#lab-panel');
      assert.ok(lesson.width >= MIN_LESSON_TEXT_PX, `at 1000 px the lesson is ${lesson.width} px wide`);
      assert.ok(panel.width === 1000 && panel.y > 300, `at 1000 px the panel docks at the bottom (${JSON.stringify(panel)})`);

      await page.setViewportSize({ width: 1366, height: 768 });
      await page.waitForFunction(() => document.getElementById('lab-panel')!.getBoundingClientRect().width < 1366);
      const wideLesson = await box(page, '.sl-markdown-content');
      const widePanel = await box(page, '#lab-panel');
      assert.ok(wideLesson.width >= MIN_LESSON_TEXT_PX, `at 1366 px the lesson is ${wideLesson.width} px wide`);
      assert.ok(widePanel.x >= wideLesson.x + wideLesson.width, `at 1366 px the panel is beside the lesson (${JSON.stringify({ wideLesson, widePanel })})`);
      assert.ok(widePanel.width >= 320, `and is at least 20rem wide (${widePanel.width} px)`);
      await page.close();
    });

    it('on a 390x844 phone: one row of controls, one terminal at a time with tabs, Run buttons above the panel, a key bar whose Ctrl-C and Ctrl-D reach the shell', async () => {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      await openLab(page, `${server.base}/tcp/`);

      const bar = await page.locator('.lab-bar > :visible, .lab-tools > :visible').evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom, right: r.right })));
      const tops = bar.map((b) => b.top);
      assert.ok(Math.max(...tops) - Math.min(...tops) < 12, `the panel's controls are on one row (tops ${tops.join(', ')})`);
      assert.ok(bar.every((b) => b.right <= 390), 'and fit in the screen\'s width');
      await page.getByRole('button', { name: 'More' }).tap();
      assert.ok(await page.getByRole('button', { name: 'End lab' }).isVisible(), '"More" shows the other controls');
      await page.getByRole('button', { name: 'More' }).tap();

      const tabs = page.locator('#lab-panel').getByRole('tab');
      assert.equal(await tabs.count(), 3, 'a tab per terminal');
      assert.equal(await page.locator('.lab-pane:visible').count(), 1, 'one terminal shows at a time');
      await page.locator('#lab-term-client-tab').tap();
      assert.equal(await page.locator('.lab-pane:visible').getAttribute('data-term'), 'client', 'a tab shows its terminal');
      await page.locator('#lab-term-server-tab').tap();

      // The keyboard (or a script) reaching the next Run button scrolls it to above the panel.
      const panelTop = (await box(page, '#lab-panel')).y;
      const run = page.locator('[data-lab-run]:visible').nth(2);
      await run.focus();
      const runBox = await run.boundingBox();
      assert.ok(runBox && runBox.y >= 0 && runBox.y + runBox.height <= panelTop, `the focused Run button is above the panel (${JSON.stringify(runBox)}, panel at ${panelTop})`);

      const keys = page.getByRole('toolbar', { name: 'Keys for the terminal' });
      assert.ok(await keys.isVisible(), 'touch screens get the key bar');
      await page.locator('#lab-term-server .xterm-screen').tap();
      await page.keyboard.type('sleep 100\n');
      await waitForScreen(page, 'server', ['$ sleep 100']);
      const from = (await screen(page, 'server')).length;
      await keys.getByRole('button', { name: 'Ctrl-C' }).tap();
      await waitForScreen(page, 'server', ['^C', '$ '], { from, timeout: 5000 });
      await page.keyboard.type('read line || echo got-end-of-input\n');
      await waitForScreen(page, 'server', ['$ read line']);
      await keys.getByRole('button', { name: 'Ctrl-D' }).tap();
      await waitForScreen(page, 'server', ['\ngot-end-of-input'], { timeout: 5000 });
      assert.equal(await page.evaluate(() => document.activeElement?.closest<HTMLElement>('.lab-pane')?.dataset.term), 'server', 'the keyboard stays in the terminal');
      assert.deepEqual(await axeViolations(page), [], 'axe finds no serious problem with the lab open on the phone');
      await context.close();
    });

    it('at device pixel ratio 2 with software GL the terminal shows its text', async () => {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await openLab(page, `${server.base}/tcp/`);
      await page.locator('#lab-term-server-tab').click();
      await page.keyboard.type('echo shown-at-dpr-$((1+1)) and more text to draw\n');
      await waitForScreen(page, 'server', ['\nshown-at-dpr-2']);
      await page.waitForTimeout(500); // a frame or two
      const inked = await inkedPixels(page, '#lab-term-server .xterm-screen');
      assert.ok(inked > 2000, `the terminal's text is on the screen (${inked} pixels differ from the background)`);
      await context.close();
    });
  });
}
