/**
 * The Packets view in Chromium on the TCP lesson, against the real server and a real lab, on every
 * driver: the lesson's <Microscope view="packets" filter="port 9090"> opens it (its code loads only
 * then), Run starts the server and the client, and the ladder draws the handshake, the data and
 * the close (a FIN each way) as focusable arrows with their text, one column per endpoint; payload
 * bytes show on focus; Export downloads a pcap.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium, screen, waitForScreen } from './browser-support.ts';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const driver of testDrivers()) describe(`the Packets view on the TCP lesson (${driver})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_WARM_POOL: '1' });
  });
  after(async () => {
    await server?.stop();
  });

  it('draws the handshake, the data and the close (a FIN each way) of the lesson\'s client and server as a ladder', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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
    await page.close();
  });
});
