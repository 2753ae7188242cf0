/**
 * Page benchmarks: what a learner on a slow phone connection waits for, in Debian's Chromium
 * against real servers on this machine, with the DevTools protocol throttling the network to a
 * slow 4G profile (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip):
 *
 * - first contentful paint and the load event of the home page and the TCP lesson on a first
 *   visit (empty cache), and of the UDP lesson visited after the TCP one; "before" is a server
 *   with PAGE_DELIVERY=plain (no compression, no Cache-Control: how pages were sent before), the
 *   baseline, and "after" the default, in the same run; median of 5 each, with the bytes on the wire;
 * - the time from pressing "Open the lab" on the TCP lesson to the first prompt, on a warm server
 *   (bwrap, a warm pool of 2, not throttled: the lab's own path), median of 5.
 *
 * Needs a built site (`npm run build`). Run with `npm run bench`, or `node bench/pages.ts [--quick]`.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, wireMeter } from '../tests/site/browser-support.ts';
import { startTestServer, type TestServer } from '../tests/support/server-harness.ts';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

interface View {
  fcp: number;
  load: number;
  bytes: number;
}

/** Opens `paths` in turn in a fresh browser context (empty cache) on a slow 4G line; the figures of the last. */
async function measure(browser: Browser, base: string, paths: string[]): Promise<View> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  let view: View | null = null;
  for (const path of paths) {
    const meter = await wireMeter(page);
    await page.goto(base + path, { waitUntil: 'load', timeout: 120_000 });
    await meter.settled(500);
    const timing = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
    }));
    view = { ...timing, bytes: meter.total() };
  }
  await context.close();
  return view!;
}

async function labOpen(browser: Browser, base: string): Promise<number> {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  await page.goto(`${base}/tcp/`);
  const ms = await page.evaluate(async () => {
    const lab = () => (window as unknown as { socketLab?: { screen(n: string): string | null } }).socketLab;
    const t0 = performance.now();
    document.querySelector<HTMLButtonElement>('.lab-launcher')!.click();
    while (!(lab()?.screen('server') ?? '').includes('$ ')) await new Promise((r) => setTimeout(r, 2));
    return performance.now() - t0;
  });
  await context.close();
  return ms;
}

const servers: TestServer[] = [];
let browser: Browser | undefined;
try {
  const before = await startTestServer({ LOG_LEVEL: 'warn', PAGE_DELIVERY: 'plain', LAB_WARM_POOL: '0' });
  servers.push(before);
  const after = await startTestServer({ LOG_LEVEL: 'warn', LAB_WARM_POOL: '2' });
  servers.push(after);
  browser = await launchChromium();
  console.log(`\n== pages on slow 4G (1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT), median of ${RUNS}: before (PAGE_DELIVERY=plain, the baseline) vs after ==\n`);
  console.log(`${'view'.padEnd(34)} ${'figure'.padEnd(8)} ${'before'.padStart(10)} ${'after'.padStart(10)} ${'after/before'.padStart(13)}`);
  const views: [string, string[]][] = [
    ['home page, first visit', ['/']],
    ['TCP lesson, first visit', ['/tcp/']],
    ['UDP lesson after the TCP lesson', ['/tcp/', '/udp/']],
  ];
  for (const [name, paths] of views) {
    const runs: Record<'before' | 'after', View[]> = { before: [], after: [] };
    for (let i = 0; i < RUNS; i++) {
      // Alternate, so that a busy moment on the shared machine hits both sides alike.
      runs.before.push(await measure(browser, before.base, paths));
      runs.after.push(await measure(browser, after.base, paths));
    }
    for (const [figure, pick, unit] of [
      ['FCP', (v: View) => v.fcp, 'ms'],
      ['load', (v: View) => v.load, 'ms'],
      ['bytes', (v: View) => v.bytes / 1024, 'KB'],
    ] as const) {
      const b = median(runs.before.map(pick));
      const a = median(runs.after.map(pick));
      console.log(`${name.padEnd(34)} ${figure.padEnd(8)} ${`${b.toFixed(0)} ${unit}`.padStart(10)} ${`${a.toFixed(0)} ${unit}`.padStart(10)} ${`${(a / b).toFixed(2)}x`.padStart(13)}`);
    }
  }

  console.log(`\n== "Open the lab" to the first prompt, TCP lesson, warm server (${after.driver.name}, warm pool of 2, not throttled), median of ${RUNS} ==\n`);
  const opens: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await new Promise((r) => setTimeout(r, 1000)); // the pool refills between learners
    opens.push(await labOpen(browser, after.base));
  }
  console.log(`press to first prompt: median ${median(opens).toFixed(0)} ms (runs: ${opens.map((v) => v.toFixed(0)).join(', ')} ms)`);
} finally {
  await browser?.close();
  for (const server of servers) await server.stop();
}
