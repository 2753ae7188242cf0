/**
 * Takes the README's screenshots of the built site with Debian's Chromium:
 *   node scripts/screenshot.ts [base-url]   (default http://127.0.0.1:4321, e.g. from `npm start`)
 * Writes docs/screenshots/lesson-{light,dark}.png.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4321';
const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const theme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
    await page.goto(`${base}/tcp/`);
    await page.getByRole('tab', { name: 'Go' }).first().click();
    await page.locator('h2', { hasText: 'The server' }).first().scrollIntoViewIfNeeded().catch(() => {});
    await page.screenshot({ path: new URL(`lesson-${theme}.png`, out).pathname });
    await page.close();
  }
} finally {
  await browser.close();
}
