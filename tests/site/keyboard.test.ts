/**
 * The lab with the keyboard alone, in Chromium against the real server and real labs, on every
 * sandbox driver (WCAG 2.1.2 "No Keyboard Trap"): the second Tab stop of a lesson is "Skip to the
 * lab"; opening the lab puts the keyboard in it (not on <body>); a command typed there runs; F6
 * leaves the terminal (xterm used to send it to the shell as `~`), Shift+F6 goes back to the
 * lesson; Tab reaches the editor and, from it, the terminal again; axe finds nothing serious.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, launchChromium, screen, waitForScreen } from './browser-support.ts';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** What has the keyboard: the element's id, else its class, and its text (for messages too). */
function focused(page: Page): Promise<{ id: string; className: string; text: string; inPanel: boolean; terminal: string | null }> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    return {
      id: active?.id ?? '',
      className: typeof active?.className === 'string' ? active.className : '',
      text: (active?.textContent ?? '').trim().slice(0, 40),
      inPanel: document.getElementById('lab-panel')?.contains(active) ?? false,
      terminal: active?.closest<HTMLElement>('.lab-pane')?.dataset.term ?? null,
    };
  });
}

/** Presses `key` until `reached` holds, at most `limit` times; returns how many presses it took. */
async function pressUntil(page: Page, key: string, limit: number, reached: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(key);
    if (reached(await focused(page))) return presses;
  }
  throw new Error(`${what}: not reached after ${limit} presses of ${key}; the focus is on ${JSON.stringify(await focused(page))}`);
}

/** Waits until the keyboard is in the panel (it used to drop to <body> as the panel opened). */
async function waitForPanelFocus(page: Page): Promise<void> {
  try {
    await page.waitForFunction(() => document.getElementById('lab-panel')?.contains(document.activeElement) ?? false, null, { timeout: 10_000 });
  } catch {
    throw new Error(`the keyboard did not go into the panel as it opened; it is on ${JSON.stringify(await focused(page))}`);
  }
}

/** Waits until the keyboard is in terminal `name`'s input. */
async function waitForTerminalFocus(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => document.activeElement?.matches(`#lab-term-${n} textarea.xterm-helper-textarea`) ?? false, name, { timeout: 30_000 });
}

for (const driver of testDrivers()) {
  describe(`the lab with the keyboard alone (${driver})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver });
    });
    after(async () => {
      await server?.stop();
    });

    it('skip link, a command in the terminal, F6 out of it, Tab to the editor and back to the terminal, Shift+F6 to the lesson; axe clean', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${server.base}/tcp/`);
      const presses = await pressUntil(page, 'Tab', 5, (f) => f.text === 'Skip to the lab', 'the skip link');
      assert.ok(presses <= 2, `"Skip to the lab" is the second Tab stop at most (took ${presses})`);
      await page.keyboard.press('Enter');
      await waitForPanelFocus(page);
      await waitForTerminalFocus(page, 'server');
      await waitForScreen(page, 'server', ['$ ']);
      assert.ok(await page.getByText('F6: leave the terminal').isVisible(), 'the panel says how to leave the terminal');

      await page.keyboard.type('echo typed-$((6*7))\n');
      await waitForScreen(page, 'server', ['typed-42']);
      const before = await screen(page, 'server');
      await page.keyboard.press('F6');
      assert.equal((await focused(page)).id, 'lab-term-server-tab', 'F6 moved the keyboard from the terminal to its tab');
      await page.keyboard.press('Control+F6');
      await page.keyboard.press('F6');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await screen(page, 'server'), before, 'F6 never reached the shell (it used to type `~`)');

      // The editor: Files is in the bar before the tabs; then Tab goes on into the editor.
      await pressUntil(page, 'Shift+Tab', 12, (f) => f.text === 'Files', 'the Files button');
      await page.keyboard.press('Enter');
      await page.locator('.lab-editor-status', { hasText: 'Editing' }).waitFor();
      await pressUntil(page, 'Tab', 30, (f) => f.className.includes('cm-content'), 'the editor');
      await page.keyboard.press('Control+End');
      await page.keyboard.type('// typed with the keyboard\n');
      await page.locator('.lab-editor-status', { hasText: 'Unsaved changes' }).waitFor();
      // Tab leaves CodeMirror (it does not indent with Tab) for the terminal below it.
      await pressUntil(page, 'Tab', 10, (f) => f.terminal === 'server' && f.className.includes('xterm-helper-textarea'), 'the terminal after the editor');
      await page.keyboard.type('echo back-$((2+3))\n');
      await waitForScreen(page, 'server', ['back-5']);

      await page.keyboard.press('Shift+F6');
      const onPage = await focused(page);
      assert.ok(!onPage.inPanel && onPage.text !== '', `Shift+F6 went back to the lesson (focus: ${JSON.stringify(onPage)})`);
      assert.deepEqual(await axeViolations(page), [], 'axe finds no serious problem with the lab and its editor open');
      await page.getByRole('button', { name: 'End lab' }).click();
      await page.close();
    });

    it('"Open the lab" from the keyboard puts the keyboard in the terminal; Hide gives it back to the launcher', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${server.base}/udp/`);
      await page.getByRole('button', { name: 'Open the lab' }).focus();
      await page.keyboard.press('Enter');
      await waitForPanelFocus(page);
      await waitForTerminalFocus(page, 'server');
      await page.keyboard.press('F6');
      await pressUntil(page, 'Shift+Tab', 12, (f) => f.text === 'Hide', 'the Hide button');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).text, 'Show the lab', 'Hide gave the keyboard to the launcher');
      await page.close();
    });
  });
}
