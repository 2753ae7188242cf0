/**
 * Takes the README's screenshots of a running Socket Lab with Debian's Chromium:
 *   node scripts/screenshot.ts [base-url]   (default http://127.0.0.1:4321, e.g. from `npm start`)
 * Writes docs/screenshots/lab-{light,dark}.png: the TCP lesson in Go with the lab open, the
 * server running in one terminal and a client talking to it in another.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4321';
const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });

type LabHook = { socketLab?: { screen(name: string): string | null } };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const theme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    await page.goto(`${base}/tcp/`);
    await page.getByRole('tab', { name: 'Go' }).first().click();
    await page.locator('[data-lab-interrupt] [data-lab-run="server"]:visible').first().click();
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('server')?.includes('listening on'), null, { timeout: 60_000 });
    await page.locator('[data-lab-interrupt] [data-lab-run="client"]:visible').first().click();
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('client')?.includes('connected to'), null, { timeout: 60_000 });
    await page.keyboard.type('hello from the browser\n');
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('client')?.includes('echo: hello from the browser'));
    await page.locator('[data-lab-interrupt] [data-lab-run="client"]:visible').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL(`lab-${theme}.png`, out).pathname });
    await page.getByRole('button', { name: 'End lab' }).click();
    await page.close();
  }
} finally {
  await browser.close();
}
