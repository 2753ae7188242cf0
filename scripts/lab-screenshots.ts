/**
 * Screenshots of a lesson with the lab open, at the widths the layouts are made for (a 390x844
 * phone, 1000 px where the panel docks at the bottom, 1366 px where it sits beside the lesson),
 * in light and dark, with Debian's Chromium against a running Socket Lab:
 *   node scripts/lab-screenshots.ts [base-url]   (default http://127.0.0.1:4321, e.g. `npm start`)
 * Writes docs/screenshots/lab-<width>-<light|dark>.png (docs/lab.md shows them).
 */
import { mkdirSync } from 'node:fs';
import { chromium, type BrowserContextOptions } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4321';
const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });

type LabHook = { socketLab?: { screen(name: string): string | null } };

const SIZES: { width: number; context: BrowserContextOptions }[] = [
  { width: 390, context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  { width: 1000, context: { viewport: { width: 1000, height: 800 } } },
  { width: 1366, context: { viewport: { width: 1366, height: 768 } } },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const { width, context: options } of SIZES) {
    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ ...options, colorScheme: theme });
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${base}/tcp/`);
      await page.getByRole('tab', { name: 'Go' }).first().click();
      const run = page.locator('[data-lab-interrupt] [data-lab-run="server"]:visible').first();
      await run.click();
      await page.waitForFunction(() => (window as LabHook).socketLab?.screen('server')?.includes('listening on'), null, { timeout: 120_000 });
      await run.scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await page.screenshot({ path: new URL(`lab-${width}-${theme}.png`, out).pathname });
      await page.getByRole('button', { name: width < 640 ? 'More' : 'End lab' }).click();
      if (width < 640) await page.getByRole('button', { name: 'End lab' }).click();
      await context.close();
    }
  }
} finally {
  await browser.close();
}
