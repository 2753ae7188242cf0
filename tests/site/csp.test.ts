/**
 * The Content-Security-Policy in a real browser (Debian's Chromium) against the real server: the
 * policy is enforced (an injected inline script does not run), and the site works under it with
 * no violation: every built page, search (Pagefind's WebAssembly), the lab's terminals and editor
 * (xterm.js, CodeMirror, WebSockets), an exercise page of a student in a class (which also shows
 * the per-student start limit in words), and an instructor's live dashboard (EventSource).
 * Violations are caught as `securitypolicyviolation` events and console errors, on every page.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { COOKIES } from '../../server/classroom/cookies.ts';
import { toLocalInput } from '../../server/classroom/time.ts';
import { FormClient } from '../support/form-client.ts';
import { ROOT } from '../support/examples.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium, waitForScreen } from './browser-support.ts';

let server: TestServer;
let browser: Browser;
/** Every violation and console error of every page, as "<page>: <what>". */
const problems: string[] = [];

before(async () => {
  server = await startTestServer({ LAB_WARM_POOL: '1', STARTS_PER_MINUTE: '1', TIME_ZONE: 'UTC' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A browser context that reports every CSP violation and console error of its pages into `problems`. */
async function watchedContext(cookies: Map<string, string> = new Map()): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.exposeBinding('__reportViolation', ({ page }, text: string) => void problems.push(`${page.url()}: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportViolation(text: string): void }).__reportViolation;
      report(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'an inline script or style'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    });
  });
  context.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${message.page()?.url()}: console error: ${message.text()}`);
  });
  context.on('weberror', (error) => void problems.push(`page error: ${error.error().message}`));
  await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: server.base })));
  return context;
}

/** Every page of the built site, as a path. */
function builtPages(): string[] {
  return readdirSync(join(ROOT, 'dist/client'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => `/${f.replace(/(^|\/)index\.html$/, '$1')}`)
    .sort();
}

/** Gives the page's scripts a moment after load (custom elements, deferred modules). */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  await page.waitForTimeout(150);
}

describe('the Content-Security-Policy in Chromium', () => {
  it('is enforced: an inline script injected into a page does not run and is reported', async () => {
    const context = await watchedContext();
    const page = await context.newPage();
    const res = await page.goto(`${server.base}/intro/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the page came with the policy');
    await settle(page);
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.head.append(script);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    assert.equal(ran, false, 'the injected script did not run');
    await page.waitForFunction(() => true);
    await context.close();
    const reported = problems.splice(0);
    assert.ok(reported.some((p) => /CSP violation: script-src/.test(p)), `the browser reported it:\n${reported.join('\n')}`);
  });

  it('lets every built page, search, the lab\'s terminals and editor run without a violation', { timeout: 240_000 }, async () => {
    const context = await watchedContext();
    const page = await context.newPage();
    const pages = builtPages();
    assert.ok(pages.length > 10 && pages.includes('/tcp/') && pages.includes('/exercises/tcp-echo/'), pages.join(' '));
    for (const path of pages) {
      const res = await page.goto(`${server.base}${path}`);
      assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, `${path} came with the policy`);
      await settle(page);
    }

    await page.goto(`${server.base}/intro/`);
    await page.getByRole('button', { name: /search/i }).first().click();
    await page.locator('dialog input[type="search"], dialog input').first().fill('SO_REUSEADDR');
    await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 15_000 });

    await page.goto(`${server.base}/tcp/`);
    await page.getByRole('button', { name: 'Open the lab' }).click();
    await waitForScreen(page, 'server', ['$ '], { timeout: 60_000 });
    await page.locator('#lab-term-server-tab').click();
    await page.keyboard.type('echo csp-""ok\n');
    await waitForScreen(page, 'server', ['csp-ok'], { timeout: 30_000 });
    await page.getByRole('button', { name: 'Files' }).click();
    await page.locator('.lab-editor-status', { hasText: 'Editing' }).waitFor({ timeout: 30_000 });
    await page.locator('.cm-content').click();
    await page.keyboard.type('// typed under the CSP\n');
    await settle(page);
    await context.close();
    assert.deepEqual(problems.splice(0), []);
  });

  it('lets a student\'s exercise page and the instructor\'s live dashboard run without a violation', { timeout: 180_000 }, async () => {
    // The class, made over HTTP; the browsers get the cookies.
    const teacher = new FormClient(server.base);
    assert.equal((await teacher.post('/account/signup/', { email: `csp-${process.pid}@example.org`, name: 'Ines', password: 'correct horse battery' })).status, 303);
    const classId = Number(/\/classes\/(\d+)\//.exec((await teacher.post('/classes/', { name: 'CSP' })).location ?? '')?.[1]);
    const made = await teacher.post(`/classes/${classId}/`, { title: 'Week 1', exercises: ['tcp-echo'], opensAt: toLocalInput(Date.now() - 3_600_000, 'UTC'), dueAt: toLocalInput(Date.now() + 86_400_000, 'UTC'), latePolicy: 'marked-late', solutions: 'after-pass' });
    assert.equal(made.status, 303, made.text);
    const student = new FormClient(server.base);
    assert.equal((await student.post(`/join/${(await server.classroom.store.classById(classId))!.joinCode}/`, { displayName: 'Ada' })).status, 303);

    const teach = await (await watchedContext(new Map([[COOKIES.session, teacher.cookies.get(COOKIES.session)!]]))).newPage();
    await teach.goto(`${server.base}${made.location}`);
    await teach.locator('[data-live]', { hasText: 'Live: rows update as checks arrive.' }).waitFor({ timeout: 15_000 });

    const learn = await (await watchedContext(new Map([[COOKIES.learner, student.cookies.get(COOKIES.learner)!]]))).newPage();
    await learn.goto(`${server.base}/exercises/tcp-echo/`);
    await learn.locator('[data-class]', { hasText: 'You are in a class' }).waitFor({ timeout: 15_000 });
    await learn.locator('[data-exercise] select[data-lang]').selectOption('ts');
    const status = learn.locator('[data-status]');
    await learn.getByRole('button', { name: 'Start in the lab' }).click();
    await status.filter({ hasText: 'Your files are in ~/exercises/tcp-echo/ts/' }).waitFor({ timeout: 60_000 });
    await teach.locator('tr[data-member] td.in-progress[data-exercise="tcp-echo"]').waitFor({ timeout: 15_000 });

    // STARTS_PER_MINUTE=1: a second start within the minute is refused, and the page says why.
    await learn.getByRole('button', { name: 'Start in the lab' }).click();
    await status.filter({ hasText: /You have started exercises once in the last minute, the most this server takes from one student .*Wait \d+ s, then try again\./ }).waitFor({ timeout: 15_000 });
    await settle(learn);
    await settle(teach);
    await learn.context().close();
    await teach.context().close();
    // The refused start is a 429, which Chromium logs as a failed resource load: that one is expected.
    assert.deepEqual(problems.splice(0).filter((p) => !/status of 429/.test(p)), []);
  });
});
