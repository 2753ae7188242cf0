/**
 * The Packets view in Chromium on the TCP lesson, against the real server and a real lab, on every
 * driver: the lesson's <Microscope view="packets" filter="port 9090"> opens it (its code loads only
 * then), Run starts the server and the client, and the ladder draws the handshake, the data and
 * the close (a FIN each way) as focusable arrows with their text, one column per endpoint, each
 * head naming the process that holds it (with its pid); payload
 * bytes show on focus; Export downloads a pcap. Then, on the same page and lab, a `yes | nc` flood
 * for 10 s with the view open: the page keeps answering, the counts keep rising, the ladder's rows
 * stay bounded, and after Ctrl-C the page is calm.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MAX_ROWS } from '../../src/client/microscope/packets-ladder.ts';
import { PACKET_LIMITS } from '../../wire/microscope-packets.ts';
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

/**
 * How long the page may take to answer (a `page.evaluate` round trip, or the gap between two
 * animation frames) while a flood is drawn. A page that does not answer for a second feels stuck
 * (the 1 s limit for keeping a person's flow of thought); one drawing every packet of a flood
 * (tens of thousands a second) stalls for far longer. A tighter bound would measure the shared
 * 2-core machine's scheduler rather than the page.
 */
const PAGE_ANSWERS_MS = 1000;

interface PageProbe {
  /** Rows added to the ladder since the probe was installed. */
  added: number;
  /** The longest gap between two animation frames since the last sample. */
  maxGap: number;
  lastFrame: number;
}

/** Counts the ladder's new rows and times the page's animation frames, from now on. */
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe: PageProbe = { added: 0, maxGap: 0, lastFrame: performance.now() };
    (window as unknown as { ladderProbe: PageProbe }).ladderProbe = probe;
    new MutationObserver((records) => {
      for (const record of records) probe.added += record.addedNodes.length;
    }).observe(document.querySelector('.mpk-view .mpk-rows')!, { childList: true });
    const tick = (now: number) => {
      probe.maxGap = Math.max(probe.maxGap, now - probe.lastFrame);
      probe.lastFrame = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

interface Sample {
  /** The `page.evaluate` round trip, ms. */
  roundTrip: number;
  /** The longest wait for an animation frame since the previous sample (the current one included), ms. */
  frameGap: number;
  rows: number;
  added: number;
  /** The view's counts line: packets seen and not drawn. */
  seen: number;
  dropped: number;
}

async function sample(page: Page): Promise<Sample> {
  const sent = performance.now();
  const read = await page.evaluate(() => {
    const probe = (window as unknown as { ladderProbe: PageProbe }).ladderProbe;
    const frameGap = Math.max(probe.maxGap, performance.now() - probe.lastFrame);
    probe.maxGap = 0;
    const counts = document.querySelector('.mpk-view .mpk-counts')?.textContent ?? '';
    return {
      frameGap,
      rows: document.querySelectorAll('.mpk-view .mpk-row').length,
      added: probe.added,
      seen: Number(/^(\d+) seen/.exec(counts)?.[1] ?? NaN),
      dropped: Number(/(\d+) not drawn/.exec(counts)?.[1] ?? 0),
    };
  });
  return { roundTrip: performance.now() - sent, ...read };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const driver of testDrivers()) describe(`the Packets view on the TCP lesson (${driver})`, () => {
  let server: TestServer;
  let page: Page;
  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_WARM_POOL: '1' });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  after(async () => {
    await page?.close();
    await server?.stop();
  });

  it('draws the handshake, the data and the close (a FIN each way) of the lesson\'s client and server as a ladder', async () => {
    const loaded: string[] = [];
    page.on('request', (req) => loaded.push(req.url()));
    await page.goto(`${server.base}/tcp/`);
    const open = page.getByRole('button', { name: 'Open Packets (port 9090)' });
    await open.scrollIntoViewIfNeeded();
    assert.equal(loaded.filter((url) => /packets-view|packets-ladder/.test(url)).length, 0, 'the view\'s code is not loaded before it is opened');
    await open.click();
    const view = page.locator('.mpk-view');
    await view.getByText('Capturing').waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('input[name="filter"]').inputValue(), 'port 9090');

    // Run the lesson's server and client (C), as a learner does.
    const run = (terminal: string) => page.locator(`[data-lab-block] [data-lab-run="${terminal}"]:visible`).first();
    await run('server').click();
    await waitForScreen(page, 'server', ['listening on'], { timeout: 60_000 });
    const from = (await screen(page, 'client')).length;
    await run('client').click();
    await waitForScreen(page, 'client', ['connected to'], { from, timeout: 60_000 });
    await page.keyboard.type('hello\n', { delay: 5 });
    await waitForScreen(page, 'client', ['echo: hello'], { from });
    // End of input: the client half-closes (a FIN), the server closes too (a FIN back).
    const afterEcho = (await screen(page, 'client')).length;
    await page.keyboard.press('Control+D');
    await waitForScreen(page, 'client', ['$ '], { from: afterEcho });

    const rows = view.locator('.mpk-row');
    await rows.nth(3).waitFor({ timeout: 20_000 });
    const labels = await rows.locator('.mpk-label').allTextContents();
    assert.match(labels[0]!, /^SYN seq 0 len 0$/);
    assert.match(labels[1]!, /^SYN ACK seq 0 ack 1 len 0$/);
    assert.match(labels[2]!, /^ACK seq 1 ack 1 len 0$/);
    const ends = await rows.locator('.mpk-ends').allTextContents();
    assert.match(ends[0]!, /^127\.0\.0\.1:\d+ → 127\.0\.0\.1:9090$/);
    assert.match(ends[1]!, /^127\.0\.0\.1:9090 → 127\.0\.0\.1:\d+$/);
    assert.equal(await view.locator('.mpk-heads li').count(), 2, 'one column per endpoint');
    // Each head names the process holding its endpoint, with its pid, as the server found it after
    // the column was drawn; screen readers get it in the list of endpoints.
    const owners = view.locator('.mpk-heads .mpk-owner');
    await owners.filter({ hasText: 'server' }).waitFor({ timeout: 20_000 });
    await owners.filter({ hasText: 'client' }).waitFor({ timeout: 20_000 });
    const heads = await view.locator('.mpk-heads li').evaluateAll((items) => items.map((item) => (item as HTMLElement).innerText));
    assert.match(heads[0]!, /^127\.0\.0\.1:\d+\nclient \(pid \d+\)$/, JSON.stringify(heads));
    assert.match(heads[1]!, /^127\.0\.0\.1:9090\nserver \(pid \d+\)$/, JSON.stringify(heads));
    const spoken = await view.getByRole('list', { name: 'Endpoints' }).ariaSnapshot();
    assert.match(spoken, /listitem: 127\.0\.0\.1:9090 server \(pid \d+\)/, spoken);
    assert.deepEqual(await axeViolations(page), [], 'no serious accessibility problem with the labelled heads');

    // The data packet's payload shows on keyboard focus.
    const data = rows.filter({ hasText: 'len 6' }).first();
    await data.focus();
    assert.match(await data.locator('.mpk-payload').innerText(), /68 65 6c 6c 6f 0a\s+hello\./);

    // The close: a FIN from each side, the client's first (it half-closed at end of input).
    const fin = (side: 'client' | 'server') => rows.filter({ hasText: /FIN/ }).filter({ has: page.locator('.mpk-ends', { hasText: side === 'server' ? /^127\.0\.0\.1:9090 →/ : /→ 127\.0\.0\.1:9090$/ }) });
    await fin('client').first().waitFor({ timeout: 20_000 });
    await fin('server').first().waitFor({ timeout: 20_000 });

    // Enter on a packet filters to its connection (the ladder starts again with it).
    const clientEnd = ends[0]!.split(' → ')[0]!;
    await data.press('Enter');
    assert.equal(await view.locator('input[name="filter"]').inputValue(), `conn ${clientEnd} 127.0.0.1:9090`);
    await rows.first().waitFor({ state: 'detached' });

    // The export downloads a pcap tcpdump reads, with the handshake in it.
    const [download] = await Promise.all([page.waitForEvent('download'), view.getByRole('button', { name: 'Export .pcap' }).click()]);
    assert.equal(download.suggestedFilename(), 'socketlab-packets.pcap');
    const read = spawnSync('tcpdump', ['-nn', '-r', (await download.path())!], { encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    assert.match(read.stdout, /127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.9090: Flags \[S\]/);

    // Closing it closes the connection and removes what it drew.
    await page.getByRole('button', { name: 'Close Packets' }).click();
    await view.waitFor({ state: 'detached' });
  });

  it('stays responsive through a 10 s `yes | nc` flood, with counts rising and the ladder bounded, and is calm after Ctrl-C', async (t) => {
    // Opened from the lab's bar this time: it shows above the terminals, unfiltered.
    await page.getByRole('button', { name: 'Packets', exact: true }).click();
    const view = page.locator('.lab-microscope-slot .mpk-view');
    await view.waitFor({ state: 'attached' });
    assert.equal(await page.locator('.lab-microscope-slot').isVisible(), true, 'the lab panel shows the view it opened');
    await view.getByText('Capturing').waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('input[name="filter"]').inputValue(), '', 'every packet, unfiltered');
    await view.locator('.mpk-counts', { hasText: / seen/ }).waitFor();
    await installProbe(page);

    await waitForScreen(page, 'client', ['$ ']);
    await page.locator('#lab-term-client-tab').click();
    await page.keyboard.type('nc -l 127.0.0.1 9094 >/dev/null & sleep 0.3; yes | nc 127.0.0.1 9094\n');
    await view.locator('.mpk-row', { hasText: '127.0.0.1:9094' }).first().waitFor({ timeout: 20_000 });
    const first = await sample(page);
    const samples: Sample[] = [];
    const started = performance.now();
    while (performance.now() - started < 10_000) {
      samples.push(await sample(page));
      await pause(250);
    }
    const seconds = (performance.now() - started) / 1000;
    const from = (await screen(page, 'client')).length;
    await page.keyboard.press('Control+C');
    await waitForScreen(page, 'client', ['$ '], { from });

    const slowest = (key: 'roundTrip' | 'frameGap') => Math.max(...samples.map((s) => s[key]));
    const mostRows = Math.max(...samples.map((s) => s.rows));
    const last = samples.at(-1)!;
    const drawn = last.added - first.added;
    t.diagnostic(`${samples.length} probes: the slowest answered in ${slowest('roundTrip').toFixed(0)} ms, the longest wait for a frame ${slowest('frameGap').toFixed(0)} ms; ${last.seen - first.seen} packets seen, ${drawn} drawn, at most ${mostRows} rows`);
    assert.ok(slowest('roundTrip') < PAGE_ANSWERS_MS, `the page answered every probe within ${PAGE_ANSWERS_MS} ms (the slowest: ${slowest('roundTrip').toFixed(0)} ms)`);
    assert.ok(slowest('frameGap') < PAGE_ANSWERS_MS, `an animation frame at least every ${PAGE_ANSWERS_MS} ms (the longest wait: ${slowest('frameGap').toFixed(0)} ms)`);
    // The counts line comes once a second: a new figure nearly every second, never going back.
    const seen = [first, ...samples].map((s) => s.seen);
    assert.ok(seen.every((n, i) => Number.isFinite(n) && (i === 0 || n >= seen[i - 1]!)), `seen never goes back: ${seen.join(' ')}`);
    assert.ok(new Set(seen).size >= 8, `the counts kept rising through the flood: ${[...new Set(seen)].join(' ')}`);
    assert.ok(last.seen - first.seen > PACKET_LIMITS.perSecond * 5, `a flood: ${last.seen - first.seen} packets seen`);
    assert.ok(last.dropped > 0, 'past the rate, packets are counted, not drawn');
    assert.ok(drawn <= PACKET_LIMITS.perSecond * (seconds + 2), `at most ${PACKET_LIMITS.perSecond} arrows a second (${drawn} in ${seconds.toFixed(1)} s)`);
    assert.ok(mostRows <= MAX_ROWS, `the ladder keeps at most ${MAX_ROWS} arrows (the most: ${mostRows})`);

    // Calm: once the server has counted the last of the flood, nothing more is drawn or counted.
    let settled = await sample(page);
    const calmBy = performance.now() + 20_000;
    for (let previous = NaN; settled.seen !== previous; ) {
      assert.ok(performance.now() < calmBy, `the counts still move 20 s after Ctrl-C (${settled.seen} seen)`);
      previous = settled.seen;
      await pause(1500);
      settled = await sample(page);
    }
    await pause(2000);
    const calm = await sample(page);
    assert.equal(calm.added - settled.added, 0, 'no arrow drawn after the flood ended');
    assert.equal(calm.seen, settled.seen, 'no packet counted after the flood ended');
    assert.ok(calm.roundTrip < PAGE_ANSWERS_MS && calm.frameGap < PAGE_ANSWERS_MS, `the page answers (${calm.roundTrip.toFixed(0)} ms, frames every ${calm.frameGap.toFixed(0)} ms at most)`);
    assert.ok(calm.rows <= MAX_ROWS);
    await page.getByRole('button', { name: 'Packets', exact: true }).click();
    await view.waitFor({ state: 'detached' });
    assert.equal(await page.locator('.lab-microscope-slot').isHidden(), true, 'the empty slot is hidden again');
  });
});
