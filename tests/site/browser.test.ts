/**
 * The course site in a real browser (Debian's Chromium, driven by playwright-core), served by the
 * real server from the built site: language tabs stay in sync across pages and visits, and search
 * finds lessons.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium } from './browser-support.ts';

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

describe('the course site in a browser', () => {
  it('remembers the language tab across pages: pick Go once, every example shows Go, and exercises start in Go', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/tcp/`);
    const firstTabs = page.locator('starlight-tabs[data-sync-key="lang"]').first();
    await firstTabs.getByRole('tab', { name: 'Go' }).click();
    await assert.doesNotReject(firstTabs.getByRole('tabpanel').filter({ hasText: 'package main' }).first().waitFor());
    // Every other example on the page follows...
    const selected = await page.locator('starlight-tabs[data-sync-key="lang"] [role="tab"][aria-selected="true"]').allTextContents();
    assert.ok(selected.length > 3);
    assert.deepEqual([...new Set(selected.map((s) => s.trim()))], ['Go']);
    // ...and so does the next page.
    await page.goto(`${server.base}/uds-dgram/`);
    const next = await page.locator('starlight-tabs[data-sync-key="lang"] [role="tab"][aria-selected="true"]').allTextContents();
    assert.deepEqual([...new Set(next.map((s) => s.trim()))], ['Go']);
    // An exercise page offers Go first too (its first language is C).
    await page.goto(`${server.base}/exercises/tcp-echo/`);
    await assert.doesNotReject(page.waitForFunction(() => document.querySelector<HTMLSelectElement>('[data-exercise] select[data-lang]')?.value === 'go', undefined, { timeout: 10_000 }));
    await page.close();
  });

  it('finds lessons with search', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/intro/`);
    await page.getByRole('button', { name: /search/i }).first().click();
    await page.locator('dialog input[type="search"], dialog input').first().fill('SO_REUSEADDR');
    const result = page.locator('.pagefind-ui__result-link').first();
    await result.waitFor({ timeout: 10_000 });
    const links = await page.locator('.pagefind-ui__result-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    assert.ok(links.some((href) => href?.includes('/tcp/')), `search results: ${links.join(', ')}`);
    await page.close();
  });

  it('finds lessons with search opened before the page was idle (a busy phone)', async () => {
    const page = await browser.newPage();
    // Starlight sets search up when the browser is first idle; make that come late, after the click.
    await page.addInitScript(() => {
      const later = (callback: IdleRequestCallback) => window.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 50 }), 1500);
      window.requestIdleCallback = later as unknown as typeof window.requestIdleCallback;
    });
    await page.goto(`${server.base}/intro/`);
    await page.getByRole('button', { name: /search/i }).first().click();
    await page.locator('dialog input[type="search"], dialog input').first().fill('SO_REUSEADDR', { timeout: 10_000 });
    await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('serves every lesson with its examples and no console errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    for (const slug of ['intro', 'tcp', 'tcp-life', 'multiplexing', 'udp', 'addresses', 'uds-stream', 'uds-dgram', 'uds-power', 'http-uds', 'compare']) {
      const res = await page.goto(`${server.base}/${slug}/`);
      assert.equal(res?.status(), 200, `/${slug}/`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
