/**
 * Shared setup for the browser tests: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), and small helpers that read the lab's terminals through the page's
 * `window.socketLab` hook (src/client/lab/app.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Chromium, for a test of the built site: fails at once, saying what to do, when there is none. */
export function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(join(import.meta.dirname, '../../dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Everything terminal `name` shows, scrollback included ('' before it exists). */
export function screen(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => (window as unknown as { socketLab?: { screen(n: string): string | null } }).socketLab?.screen(n) ?? '', name);
}

/** Waits until terminal `name` shows every one of `texts` in order after position `from`. */
export async function waitForScreen(page: Page, name: string, texts: string[], options: { from?: number; timeout?: number } = {}): Promise<string> {
  const { from = 0, timeout = 30_000 } = options;
  try {
    await page.waitForFunction(
      ({ n, want, start }) => {
        const text = (window as unknown as { socketLab?: { screen(n: string): string | null } }).socketLab?.screen(n) ?? '';
        let at = start;
        for (const w of want) {
          const found = text.indexOf(w, at);
          if (found < 0) return false;
          at = found + w.length;
        }
        return true;
      },
      { n: name, want: texts, start: from },
      { timeout, polling: 100 },
    );
  } catch {
    throw new Error(`terminal "${name}" did not show ${JSON.stringify(texts)} within ${timeout} ms. It shows:\n${(await screen(page, name)).slice(from)}`);
  }
  return screen(page, name);
}

export function labId(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { socketLab?: { labId(): string | null } }).socketLab?.labId() ?? null);
}

/**
 * Serious and critical axe-core violations on the page as it stands, one line each. axe is run
 * through the DevTools protocol: the site's Content-Security-Policy refuses an injected <script>.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  });
}

export interface WireRequest {
  url: string;
  status: number;
  /** Bytes received over the connection for it, headers included (CDP's encodedDataLength). */
  bytes: number;
}

/**
 * Counts what `page` receives over the network from now on, as Chromium's DevTools see it: every
 * request's bytes on the wire, headers included; answers from the browser's cache count nothing.
 * `settled()` waits until no request has been under way for `quietMs` (what a page loads when idle
 * counts too).
 */
export async function wireMeter(page: Page): Promise<{ requests: WireRequest[]; total(): number; settled(quietMs?: number): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  const pending = new Map<string, Omit<WireRequest, 'bytes'>>();
  const inFlight = new Set<string>();
  const requests: WireRequest[] = [];
  let lastActivity = Date.now();
  cdp.on('Network.requestWillBeSent', (e) => {
    inFlight.add(e.requestId);
    lastActivity = Date.now();
  });
  cdp.on('Network.responseReceived', (e) => pending.set(e.requestId, { url: e.response.url, status: e.response.status }));
  cdp.on('Network.loadingFinished', (e) => {
    inFlight.delete(e.requestId);
    lastActivity = Date.now();
    const seen = pending.get(e.requestId);
    if (seen && e.encodedDataLength > 0) requests.push({ ...seen, bytes: e.encodedDataLength });
  });
  cdp.on('Network.loadingFailed', (e) => {
    inFlight.delete(e.requestId);
    lastActivity = Date.now();
  });
  await cdp.send('Network.enable');
  return {
    requests,
    total: () => requests.reduce((sum, r) => sum + r.bytes, 0),
    settled: async (quietMs = 1500) => {
      while (inFlight.size > 0 || Date.now() - lastActivity < quietMs) await new Promise((r) => setTimeout(r, 100));
    },
  };
}
