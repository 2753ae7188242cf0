/**
 * A lesson's self-check and figures in Chromium, served by the real server from the built site
 * (no lab is opened): without a check nothing is revealed; checking an answer shows its
 * explanation and the right answer's; progress survives a reload and Reset clears it; the
 * keyboard alone answers a question; axe finds nothing serious in light and dark themes. The home
 * page's learning path lists every lesson in course order with its time.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseFrontmatter } from '@astrojs/internal-helpers/frontmatter';
import { ROOT } from '../support/examples.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, launchChromium } from './browser-support.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const question = (page: Page, n: number) => page.locator('[data-self-check] fieldset').nth(n);

async function answer(page: Page, n: number, text: string): Promise<void> {
  await question(page, n).getByRole('radio', { name: text }).check();
  await question(page, n).getByRole('button', { name: 'Check' }).click();
}

describe('a lesson\'s self-check in a browser', () => {
  it('shows the explanation of a checked answer, keeps progress over a reload, and Reset clears it', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/tcp/`);
    const status = page.locator('[data-self-check-status]');
    assert.equal(await status.textContent(), '0 of 5 answered, 0 right.');
    assert.equal(await question(page, 0).locator('[data-answers]').isVisible(), false, 'with the script, the explanations wait for a check');
    const result = question(page, 1).locator('[data-result]');
    assert.equal(await result.textContent(), '');

    await answer(page, 1, 'When the server program calls accept()');
    assert.match(await result.innerText(), /^Not quite\. accept\(\) only takes an already established connection/);
    assert.match(await result.innerText(), /The right answer: As soon as the SYN reaches a listening socket, before the program calls accept\(\)\. The kernel does the handshake on its own/);
    await answer(page, 2, 'The peer closed or half-closed its side (FIN); the stream is over');
    assert.match(await question(page, 2).locator('[data-result]').innerText(), /^Right\. 0 is end of stream/);
    assert.equal(await status.textContent(), '2 of 5 answered, 1 right.');

    await page.reload();
    assert.equal(await status.textContent(), '2 of 5 answered, 1 right.', 'progress survives a reload');
    assert.equal(await question(page, 1).getByRole('radio', { name: 'When the server program calls accept()' }).isChecked(), true);
    assert.match(await result.innerText(), /^Not quite\./, 'the explanation is shown again');

    await page.getByRole('button', { name: 'Reset my answers' }).click();
    assert.equal(await status.textContent(), '0 of 5 answered, 0 right.');
    assert.equal(await result.textContent(), '');
    assert.equal(await question(page, 1).locator('input:checked').count(), 0);
    await page.reload();
    assert.equal(await status.textContent(), '0 of 5 answered, 0 right.', 'Reset forgot the answers for good');
    await page.close();
  });

  it('shows every answer and explanation without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.base}/tcp/`);
    const first = question(page, 0);
    assert.equal(await first.getByRole('button', { name: 'Check' }).isVisible(), false, 'no Check button that would do nothing');
    await first.getByText('Answer and explanations').click();
    assert.match(await first.locator('[data-answers]').innerText(), /Right: It depends; one, two or more, which is why the server frames lines itself\. A byte stream can be read in any number of pieces/);
    await context.close();
  });

  it('works with the keyboard alone: Tab to the answers, arrows to choose, Tab and Enter to check', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/tcp/`);
    await question(page, 0).getByRole('radio').first().focus();
    await page.keyboard.press('ArrowDown'); // moves to and selects the second answer
    await page.keyboard.press('ArrowDown'); // the third: the right one
    await page.keyboard.press('Tab'); // past the explanations' summary...
    const onSummary = await page.evaluate(() => document.activeElement?.tagName);
    if (onSummary === 'SUMMARY') await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Check', 'Tab reaches Check');
    await page.keyboard.press('Enter');
    assert.match(await question(page, 0).locator('[data-result]').innerText(), /^Right\. A byte stream can be read in any number of pieces/);
    assert.equal(await question(page, 0).locator('[data-result]').getAttribute('aria-live'), 'polite', 'a screen reader hears the result');
    assert.equal(await question(page, 0).locator('legend').count(), 1, 'the fieldset has a legend: the question');
    await page.getByRole('button', { name: 'Reset my answers' }).click();
    await page.close();
  });

  it('has no serious or critical axe violation on a lesson with figures and a self-check, light or dark', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/tcp/`);
    await answer(page, 0, 'Exactly two, one per write()');
    for (const theme of ['light', 'dark']) {
      await page.locator('starlight-theme-select select').first().selectOption(theme);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      for (const figure of await page.locator('figure.sl-figure svg[role="img"]').all()) {
        assert.ok(await figure.getAttribute('aria-labelledby'), 'each figure is an image named by its alt text');
      }
      assert.deepEqual(await axeViolations(page), [], `axe, ${theme} theme`);
    }
    await page.getByRole('button', { name: 'Reset my answers' }).click();
    await page.close();
  });
});

describe('the learning path on the home page', () => {
  it('lists every lesson in course order with its time and what it teaches', async () => {
    const lessons = readdirSync(join(ROOT, 'content/lessons'))
      .filter((f) => f.endsWith('.mdx'))
      .map((f) => {
        const { order, minutes, objectives } = parseFrontmatter(readFileSync(join(ROOT, 'content/lessons', f), 'utf8')).frontmatter as { order: number; minutes: number; objectives: string[] };
        return { slug: f.replace(/\.mdx$/, ''), order, minutes, objectives };
      })
      .sort((a, b) => a.order - b.order);
    const page = await browser.newPage();
    await page.goto(`${server.base}/`);
    const items = page.locator('ol.learning-path > li');
    assert.deepEqual(await items.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))), lessons.map((l) => `/${l.slug}/`));
    for (const [i, lesson] of lessons.entries()) {
      const text = await items.nth(i).innerText();
      assert.match(text, new RegExp(`about ${lesson.minutes} min`), `${lesson.slug}: its time`);
      assert.ok(text.toLowerCase().includes(lesson.objectives[0].toLowerCase()), `${lesson.slug}: its first objective`);
    }
    await page.close();
  });
});
