/**
 * Every Run button on every lesson, pressed in page order as a learner would, in Chromium against
 * the real server and real labs: one fresh lab per page and language. No press may end in
 * `No such file or directory` or `command not found`, and the shell must have run every line it
 * typed: each command shows after a shell prompt (`$ ` or, after a `\` line, `> `). Text typed into
 * a program still running is echoed by the terminal with no prompt in front, so it fails here.
 * A failure demonstration (a `<Run failure="...">`) must print the failure it names. And the
 * pressed button stays on screen as the panel opens beside or below the lesson.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { LANG_LABELS, LANGS, type Lang } from '../../src/catalog/topics.ts';
import { testDrivers } from '../support/drivers.ts';
import { deleteLab } from '../support/lab-client.ts';
import { ROOT } from '../support/examples.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium, screen, waitForScreen } from './browser-support.ts';

/** The lessons with a lab (terminals in their frontmatter), in course order. */
const LESSONS = readdirSync(join(ROOT, 'content/lessons'))
  .map((file) => ({ slug: file.replace(/\.mdx$/, ''), text: readFileSync(join(ROOT, 'content/lessons', file), 'utf8') }))
  .filter(({ text }) => /^terminals: \[\s*[a-z]/m.test(text))
  .map(({ slug, text }) => ({ slug, order: Number(/^order: (\d+)/m.exec(text)?.[1] ?? 0) }))
  .sort((a, b) => a.order - b.order)
  .map((l) => l.slug);

const FORBIDDEN = /No such file or directory|command not found/;
const QUIET_MS = 1200;

interface Press {
  terminal: string;
  lines: string[];
  failure: string | null;
}

async function pressOf(button: Locator): Promise<Press> {
  return button.evaluate((b: HTMLElement) => {
    const figure = b.parentElement!.previousElementSibling!;
    const lines = [...figure.querySelectorAll('.ec-line')].map((l) => l.textContent ?? '').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    return { terminal: b.dataset.labRun!, lines, failure: b.dataset.labFailure ?? null };
  });
}

/** What the shell shows when it reads each line: its prompt, or `> ` after a `\` line. */
function echoedByShell(lines: string[]): string[] {
  return lines.map((line, i) => `${lines[i - 1]?.endsWith('\\') ? '> ' : '$ '}${line}`);
}

/** Waits until the terminal is back at a prompt or has printed nothing new for QUIET_MS. */
async function settle(page: Page, terminal: string, timeoutMs = 60_000): Promise<string> {
  let last = await screen(page, terminal);
  let quietSince = Date.now();
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await screen(page, terminal);
    if (/\$$/.test(now.slice(now.lastIndexOf('\n') + 1).trimEnd())) return now;
    if (now !== last) [last, quietSince] = [now, Date.now()];
    else if (Date.now() - quietSince >= QUIET_MS) return now;
  }
  return last;
}

async function pickLanguage(page: Page, lang: Lang): Promise<void> {
  // A group of two or more tabs: the only tab of a one-language group (a C-only block first on
  // the page) switches nothing. A page whose blocks are all in one language (compare) has none.
  const tab = page.locator('starlight-tabs[data-sync-key="lang"]:has([role="tablist"] > li + li)').first().getByRole('tab', { name: LANG_LABELS[lang], exact: true });
  if ((await tab.count()) > 0) await tab.click();
}

/** What the panel says (its status and any notice), for a failure message. */
async function panelSays(page: Page): Promise<string> {
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.lab-status, .lab-notice:not([hidden]), .lab-overlay:not([hidden])')].map((e) => e.innerText.trim()).filter(Boolean).join(' | '));
}

async function endLab(page: Page, server: TestServer): Promise<void> {
  const ticket = await page.evaluate(() => JSON.parse(sessionStorage.getItem('socketlab.lab') ?? 'null') as { labId: string; token: string } | null);
  if (ticket) await deleteLab(server.base, ticket);
}

/** On Docker, the language each lesson is swept in, in turn down the course. */
const DOCKER_TURNS: readonly Lang[] = ['go', 'c', 'ts'];

for (const driver of testDrivers()) {
  // Docker labs cost more to start and build in: one language per lesson there, taking the
  // languages in turn down the course (so every language's toolchain in the lab image is swept,
  // Go first); every language of every lesson on bwrap. Measured on 2 busy cores: bwrap, 3
  // languages, 206-291 s; Docker, one language, 78-220 s. All three on Docker would take the
  // sweep well past the minutes it may cost.
  const langsOf = (lessonIndex: number): readonly Lang[] => (driver === 'docker' ? [DOCKER_TURNS[lessonIndex % DOCKER_TURNS.length]!] : LANGS);
  describe(`every Run button on every lesson, pressed in order (${driver})`, () => {
    let server: TestServer;
    let browser: Browser;
    let started = 0;
    before(async () => {
      started = Date.now();
      server = await startTestServer({ SANDBOX_DRIVER: driver });
      browser = await launchChromium();
    });
    after(async () => {
      console.log(`run sweep (${driver}, ${driver === 'docker' ? 'one language per lesson' : LANGS.join(', ')}): ${((Date.now() - started) / 1000).toFixed(0)} s`);
      await browser?.close();
      await server?.stop();
    });

    LESSONS.forEach((slug, lessonIndex) => {
      const swept = new Map<string, Lang>();
      for (const lang of langsOf(lessonIndex)) {
        it(`/${slug}/ in ${LANG_LABELS[lang]}: no missing file or command, nothing typed into a running program, failures as described`, async (t) => {
          const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
          const page = await context.newPage();
          page.on('dialog', (dialog) => void dialog.accept());
          await page.goto(`${server.base}/${slug}/`);
          await pickLanguage(page, lang);
          const buttons = page.locator('[data-lab-run]:visible');
          const presses = await Promise.all((await buttons.all()).map(pressOf));
          assert.ok(presses.length > 0, `/${slug}/ has a lab but no Run button`);
          // A page whose buttons are the same in every language (compare: C only) is swept once.
          const key = JSON.stringify(presses);
          if (swept.has(key)) {
            t.diagnostic(`same Run buttons as in ${LANG_LABELS[swept.get(key)!]}: swept there`);
            await context.close();
            return;
          }
          swept.set(key, lang);
          try {
            for (const [i, press] of presses.entries()) {
              const what = `Run button #${i + 1} (terminal ${press.terminal}: ${press.lines.join(' ; ')})`;
              const from = (await screen(page, press.terminal)).length;
              await buttons.nth(i).click();
              await waitForScreen(page, press.terminal, echoedByShell(press.lines), { from, timeout: 120_000 }).catch(async (err: Error) => {
                throw new Error(`${what}: the shell did not run every line (typed into a running program?)\nThe panel says: ${await panelSays(page)}\n${err.message}`);
              });
              if (press.failure) {
                const pattern = new RegExp(press.failure, 'i');
                await page
                  .waitForFunction(({ n, f, src }) => new RegExp(src, 'i').test((window as unknown as { socketLab: { screen(n: string): string } }).socketLab.screen(n).slice(f)), { n: press.terminal, f: from, src: pattern.source }, { timeout: 30_000, polling: 200 })
                  .catch(async () => assert.fail(`${what} is a failure demonstration but never printed /${press.failure}/:\n${(await screen(page, press.terminal)).slice(from)}`));
              }
              const shown = (await settle(page, press.terminal)).slice(from);
              assert.doesNotMatch(shown, FORBIDDEN, `${what} printed:\n${shown}`);
            }
          } finally {
            await endLab(page, server);
            await context.close();
          }
        });
      }
    });

    if (driver === 'bwrap') {
      for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
        it(`the pressed Run button stays in view as the panel opens and the lesson reflows (${viewport.width}x${viewport.height})`, async () => {
          const context = await browser.newContext({ viewport });
          const page = await context.newPage();
          try {
            await page.goto(`${server.base}/tcp/`);
            await pickLanguage(page, 'c');
            const buttons = page.locator('[data-lab-run]:visible');
            // The first press opens the panel; a later one, far down the page, reflows nothing new
            // but must not be lost either.
            for (const button of [buttons.first(), buttons.last()]) {
              const press = await pressOf(button);
              await button.scrollIntoViewIfNeeded();
              const from = (await screen(page, press.terminal)).length;
              await button.click();
              await waitForScreen(page, press.terminal, echoedByShell(press.lines).slice(0, 1), { from, timeout: 60_000 });
              await new Promise((r) => setTimeout(r, 500)); // let the layout settle
              const box = await button.boundingBox();
              assert.ok(box, 'the button is still on the page');
              assert.ok(box.y >= 0 && box.y + box.height <= viewport.height, `the button is at y=${Math.round(box.y)}..${Math.round(box.y + box.height)}, outside the ${viewport.height} px viewport`);
              // In the viewport is not enough where the panel docks over the page's bottom.
              const onTop = await button.evaluate((b) => {
                const r = b.getBoundingClientRect();
                const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                return hit === null || b.contains(hit) ? null : `${hit.tagName.toLowerCase()}.${[...hit.classList].join('.')}`;
              });
              assert.equal(onTop, null, `the button is in the viewport but covered by ${onTop}`);
            }
          } finally {
            await endLab(page, server);
            await context.close();
          }
        });
      }
    }
  });
}
