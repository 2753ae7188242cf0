/**
 * The live lab on lesson pages, in a real browser against the real server and real bwrap labs:
 * Run buttons start an example's server and client in two terminals (each language once) and the
 * exchange appears on screen; the editor changes a program and resets it; a dropped WebSocket reconnects
 * with nothing lost or doubled; a `yes` flood stops on Ctrl-C; an idle lab ends, says why and
 * starts again; axe-core finds no serious accessibility problems with the lab open.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadExample, ROOT } from '../support/examples.ts';
import { PAGE_PLACEHOLDERS } from '../../src/catalog/example-manifest.ts';
import { LANG_LABELS, type Lang, type Topic } from '../../src/catalog/topics.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, labId, launchChromium, screen, waitForScreen } from './browser-support.ts';
import { createLab, deleteLab } from '../support/lab-client.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer({ LAB_WARM_POOL: '1' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

/** Language tab groups a learner can choose in: two or more tabs. */
const CHOOSABLE_TABS = 'starlight-tabs[data-sync-key="lang"]:has([role="tablist"] > li + li)';

async function pickLanguage(page: Page, label: string): Promise<void> {
  // A group of two or more tabs: clicking the only tab of a one-language group (a C-only block
  // first on the page) switches nothing, and the others stay in the last language chosen.
  await page.locator(CHOOSABLE_TABS).first().getByRole('tab', { name: label, exact: true }).click();
}

/** The Run button of a lesson's <Run> block (visible in the chosen language) for a terminal. */
function runButton(page: Page, terminal: string) {
  return page.locator(`[data-lab-block] [data-lab-run="${terminal}"]:visible`).first();
}

describe('the live lab on lesson pages', () => {
  // Every example's exchange runs in a real lab in tests/server/labs/examples-in-lab.test.ts, and
  // every Run button of every page in tests/site/run-sweep.test.ts; here each language once, on
  // three pages, proves the browser's part: Run, typing into the terminal, the lab following.
  const tour: [Topic, Lang][] = [['tcp', 'c'], ['uds-stream', 'go'], ['http-uds', 'ts']];
  it('Run starts an example\'s server and client in two terminals, in C, Go and TypeScript, in one lab across pages', async () => {
    const page = await newPage();
    let firstLab: string | null = null;
    for (const [topic, lang] of tour) {
      await page.goto(`${server.base}/${topic}/`);
      const label = LANG_LABELS[lang];
      const { exchange, programs } = loadExample(topic, lang).manifest;
      const clientCommand = programs.find((p) => p.name === 'client')!.run.replace('{port}', PAGE_PLACEHOLDERS.port).replace('{socket}', PAGE_PLACEHOLDERS.socket(topic));
      assert.ok(exchange, `${topic}/${lang} has an exchange`);
      await pickLanguage(page, label);
      const serverFrom = (await screen(page, 'server')).length;
      await runButton(page, 'server').click();
      await waitForScreen(page, 'server', ['listening on'], { from: serverFrom, timeout: 60_000 });
      const clientFrom = (await screen(page, 'client')).length;
      await runButton(page, 'client').click();
      // Once the command is typed the client terminal has the keyboard: type as a learner would
      // (the terminal holds what is typed until the client reads it).
      await waitForScreen(page, 'client', [`$ ${clientCommand}`], { from: clientFrom, timeout: 60_000 });
      for (const line of exchange.input) await page.keyboard.type(`${line}\n`, { delay: 5 });
      await waitForScreen(page, 'client', exchange.client, { from: clientFrom, timeout: 60_000 });
      await waitForScreen(page, 'server', exchange.server, { from: serverFrom });
      const id = await labId(page);
      firstLab ??= id;
      assert.equal(id, firstLab, `the lab followed the learner to /${topic}/`);
    }
    await page.close();
  });

  it('a WebSocket dropped mid-output reconnects and resumes: every line once, in order', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/tcp/`);
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await waitForScreen(page, 'client2', ['$ ']);
    await page.locator('#lab-term-client2-tab').click();
    // 6000 numbered lines with short pauses, so the drops land in the middle of the output.
    await page.keyboard.type('seq 1 6000 | while read n; do echo "line $n"; [ $((n % 400)) = 0 ] && sleep 0.15; done; echo all-done\n');
    await waitForScreen(page, 'client2', ['line 500']);
    await page.evaluate(() => (window as unknown as { socketLab: { dropConnections(): void } }).socketLab.dropConnections());
    await waitForScreen(page, 'client2', ['line 3000']);
    await page.evaluate(() => (window as unknown as { socketLab: { dropConnections(): void } }).socketLab.dropConnections());
    const text = await waitForScreen(page, 'client2', ['\nall-done']);
    const numbers = text.split('\n').flatMap((l) => (/^line (\d+)$/.exec(l) ? [Number(/^line (\d+)$/.exec(l)![1])] : []));
    assert.equal(numbers.length, 6000, 'every line arrived exactly once');
    assert.ok(numbers.every((n, i) => n === i + 1), 'in order, with no gap and no duplicate');
    await page.close();
  });

  it('a `yes` flood stops on Ctrl-C from the keyboard: the prompt is back within 1 s and the page stays responsive', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/udp/`);
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await waitForScreen(page, 'client2', ['$ ']);
    await page.locator('#lab-term-client2-tab').click();
    await page.keyboard.type('yes\n');
    await waitForScreen(page, 'client2', ['y\ny\ny\ny\ny\ny']);
    await new Promise((r) => setTimeout(r, 1500)); // let it flood
    const probe = Date.now();
    await page.evaluate(() => document.title);
    const responsiveMs = Date.now() - probe;
    const pressed = Date.now();
    await page.keyboard.press('Control+C');
    await page.waitForFunction(
      () => /\^C\s*\nlearner@lab:[^\n]*\$ ?$/.test((window as unknown as { socketLab: { screen(n: string): string } }).socketLab.screen('client2')),
      null,
      { timeout: 5000, polling: 20 },
    );
    const promptMs = Date.now() - pressed;
    console.log(`yes flood: page answered in ${responsiveMs} ms during the flood; prompt back ${promptMs} ms after Ctrl-C`);
    assert.ok(responsiveMs < 1000, `the page took ${responsiveMs} ms to answer during the flood`);
    assert.ok(promptMs < 1000, `the prompt took ${promptMs} ms to come back`);
    await page.close();
  });

  it('the editor saves a changed program into the lab, the rerun shows the change, and Reset brings the original back', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/tcp/`);
    await pickLanguage(page, 'C');
    await page.locator('[data-lab-edit="examples/tcp/c/client.c"]:visible').click();
    const original = readFileSync(join(ROOT, 'content/examples/tcp/c/client.c'), 'utf8');
    assert.ok(original.includes('connected to'), 'the C client prints "connected to"');
    await page.locator('.lab-editor-status', { hasText: 'Editing ~/examples/tcp/c/client.c' }).waitFor();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(original.replace('connected to', 'EDITED, connected to'));
    await page.keyboard.press('Control+S');
    await page.locator('.lab-editor-status', { hasText: 'Saved' }).waitFor();

    const serverFrom = (await screen(page, 'server')).length;
    await runButton(page, 'server').click();
    await waitForScreen(page, 'server', ['listening on'], { from: serverFrom, timeout: 60_000 });
    let from = (await screen(page, 'client')).length;
    await runButton(page, 'client').click();
    await waitForScreen(page, 'client', ['EDITED, connected to 127.0.0.1:9090'], { from, timeout: 60_000 });

    await page.getByRole('button', { name: 'Reset file' }).click();
    await page.locator('.lab-editor-status', { hasText: 'back to the original' }).waitFor();
    from = (await screen(page, 'client')).length;
    await runButton(page, 'client').click();
    const text = await waitForScreen(page, 'client', ['connected to 127.0.0.1:9090'], { from, timeout: 60_000 });
    assert.ok(!text.slice(from).includes('EDITED'), 'the rerun after Reset prints the original text');
    await page.close();
  });

  it('an exercise page puts the starter in the lab, the editor opens it, and "Check my work" shows partial credit with hints', async () => {
    const page = await newPage();
    await page.goto(`${server.base}/exercises/tcp-echo/`);
    await page.locator('[data-exercise] select[data-lang]').selectOption('c');
    await page.getByRole('button', { name: 'Start in the lab' }).click();
    await page.locator('[data-status]', { hasText: 'Your files are in ~/exercises/tcp-echo/c/' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await page.getByRole('button', { name: 'Files' }).click();
    await page.locator('.lab-editor-status', { hasText: 'Editing ~/exercises/tcp-echo/c/' }).waitFor();
    await page.getByRole('button', { name: 'Check my work' }).click();
    await page.locator('[data-status]', { hasText: /\d+ of \d+ checks pass\. Read the hints/ }).waitFor({ timeout: 60_000 });
    const results = await page.locator('[data-results] li').allTextContents();
    assert.ok(results.length >= 2, `one result per check, got ${results.length}`);
    assert.equal(await page.getByRole('button', { name: 'Show solution' }).isDisabled(), true, 'the solution stays locked');
    await page.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical accessibility violations (axe-core) with the lab and editor open, ${colorScheme} theme`, async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme });
      await page.goto(`${server.base}/uds-stream/`);
      await page.getByRole('button', { name: 'Open the lab' }).click();
      await waitForScreen(page, 'server', ['$ ']);
      await page.getByRole('button', { name: 'Files' }).click();
      await page.locator('.lab-editor-status', { hasText: 'Editing' }).waitFor();
      const violations = await axeViolations(page);
      assert.deepEqual(violations, []);
      await page.close();
    });
  }
});

describe('a lab that ends', () => {
  let idleServer: TestServer;
  before(async () => {
    idleServer = await startTestServer({ LAB_IDLE_SECONDS: '6', LAB_IDLE_WARNING_SECONDS: '4' });
  });
  after(async () => {
    await idleServer?.stop();
  });

  it('warns before the idle timeout, then says the lab closed for inactivity, and "Start a new lab" starts one', async () => {
    const page = await newPage();
    await page.goto(`${idleServer.base}/tcp/`);
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await waitForScreen(page, 'server', ['$ ']);
    const first = await labId(page);
    await page.locator('.lab-notice', { hasText: 'closes in' }).waitFor({ timeout: 15_000 });
    const overlay = page.locator('.lab-overlay');
    await overlay.filter({ hasText: 'The lab closed after 6 seconds without activity.' }).waitFor({ timeout: 15_000 });
    await overlay.getByRole('button', { name: 'Start a new lab' }).click();
    await waitForScreen(page, 'server', ['$ ']);
    const second = await labId(page);
    assert.ok(second && second !== first, 'a new lab started');
    assert.equal(await page.locator('.lab-overlay').isHidden(), true);
    await page.close();
  });

  it('when every lab is taken, says so and offers a retry that works once a lab is free', async () => {
    const full = await startTestServer({ MAX_LABS: '1' });
    try {
      const blocker = await createLab(full.base);
      const page = await newPage();
      await page.goto(`${full.base}/udp/`);
      await page.getByRole('button', { name: 'Open the lab' }).click();
      const overlay = page.locator('.lab-overlay');
      await overlay.filter({ hasText: 'lab slots are in use' }).waitFor();
      const retry = overlay.getByRole('button', { name: /Try again/ });
      await retry.waitFor();
      assert.equal(await labId(page), null, 'no lab was started');
      assert.equal(await deleteLab(full.base, blocker), 204);
      await retry.click();
      await waitForScreen(page, 'server', ['$ ']);
      assert.ok(await labId(page), 'the retry started a lab');
      await page.close();
    } finally {
      await full.stop();
    }
  });
});
