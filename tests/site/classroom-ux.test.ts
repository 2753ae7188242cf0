/**
 * The classroom's rough edges, in Chromium against the real server and its own classroom
 * database: the classroom pages follow the site's light/dark choice; the dashboard shows the join
 * link with a Copy button; its extensions form works for a student who joined after it loaded,
 * without a reload; a cell page is titled with the exercise's title and counts "1 check" right; the
 * exercise page writes a due date in the site's one format, with its time zone; and the home page
 * says what is here for learners and instructors.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { launchChromium } from './browser-support.ts';

/** "Sun, 6 Dec 2026, 10:13 Europe/Berlin": wire/dates.ts. */
const DATE = /\w{3}, \d{1,2} \w{3} \d{4}, \d\d:\d\d [A-Za-z_]+(\/[A-Za-z_]+)*/;

let server: TestServer;
let browser: Browser;
let instructor: BrowserContext;
let student: BrowserContext;

before(async () => {
  server = await startTestServer({ TIME_ZONE: 'Europe/Berlin' });
  browser = await launchChromium();
  instructor = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' });
  await instructor.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  student = await browser.newContext({ viewport: { width: 1366, height: 900 }, timezoneId: 'America/Chicago' });
});
after(async () => {
  await instructor?.close();
  await student?.close();
  await browser?.close();
  await server?.stop();
});

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

describe('the classroom pages', () => {
  it('dark choice, the join link on the dashboard, extensions without a reload, the cell page, dates, the home page', { timeout: 180_000 }, async () => {
    const run = randomBytes(3).toString('hex');
    const teach = await instructor.newPage();
    await teach.goto(`${server.base}/account/signup/`);
    await teach.locator('input[name="email"]').fill(`ux-${run}@example.test`);
    await teach.locator('input[name="name"]').fill('Grace');
    await teach.locator('input[name="password"]').fill('correct horse battery staple');
    await teach.getByRole('button', { name: 'Create account' }).click();
    await teach.waitForURL(`${server.base}/classes/`);

    // The system says light; the site's theme switch says dark: the classroom follows the site.
    assert.equal(await background(teach), 'rgb(255, 255, 255)', 'light by default on a light system');
    assert.equal(await teach.locator('script').count(), 0, 'a classroom page ships no script');
    const lesson = await instructor.newPage();
    await lesson.goto(`${server.base}/intro/`);
    await lesson.locator('starlight-theme-select select').first().selectOption('dark');
    await teach.reload();
    assert.equal(await background(teach), 'rgb(13, 17, 23)', 'dark, as the site was set');
    await lesson.locator('starlight-theme-select select').first().selectOption('auto');
    await teach.reload();
    assert.equal(await background(teach), 'rgb(255, 255, 255)', 'back to the system\'s when the switch says auto');
    await lesson.locator('starlight-theme-select select').first().selectOption('dark');
    await lesson.close();
    await teach.reload();

    await teach.locator('input[name="name"]').fill(`Networks ${run}`);
    await teach.getByRole('button', { name: 'Create class' }).click();
    await teach.waitForURL(/\/classes\/\d+\/$/);
    const classId = Number(/\/classes\/(\d+)\/$/.exec(teach.url())![1]);
    const joinLink = (await teach.locator('a[data-join-link]').getAttribute('href'))!;
    await teach.locator('input[name="title"]').fill(`Week ${run}`);
    await teach.locator('input[name="exercises"][value="tcp-echo"]').check();
    await teach.getByRole('button', { name: 'Create assignment' }).click();
    await teach.waitForURL(/\/assignments\/\d+\/$/);
    await teach.locator('[data-live]', { hasText: 'Live:' }).waitFor({ timeout: 15_000 });

    // The join link is on the dashboard too, with a Copy button that copies it.
    assert.equal(await teach.locator('a[data-join-link]').getAttribute('href'), joinLink);
    await teach.getByRole('button', { name: 'Copy the link' }).click();
    await teach.locator('[data-copied]', { hasText: 'Copied.' }).waitFor();
    assert.equal(await teach.evaluate(() => navigator.clipboard.readText()), joinLink);

    // No student yet: no extensions form. One joins; the form offers them without a reload.
    const form = teach.locator('form[data-extension-form]');
    assert.equal(await form.isVisible(), false);
    await teach.evaluate(() => ((window as unknown as { __notReloaded?: boolean }).__notReloaded = true));
    const learn = await student.newPage();
    await learn.goto(joinLink);
    await learn.locator('input[name="displayName"]').fill(`Ada ${run}`);
    await learn.getByRole('button', { name: 'Join the class' }).click();
    await learn.waitForURL(/\/my\/\?joined=1$/);
    await form.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await teach.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded), true, 'not reloaded');
    assert.equal(await teach.locator('[data-no-members]').isVisible(), false);
    await form.locator('select[name="memberId"]').selectOption({ label: `Ada ${run}` });
    await form.locator('input[name="dueAt"]').fill('2030-01-15T12:00');
    await form.getByRole('button', { name: 'Save extension' }).click();
    await teach.locator('.notice', { hasText: 'Extension saved.' }).waitFor();
    await teach.getByText(`Ada ${run}: due`).waitFor();

    // The cell page: the exercise's title, not its id; one check is "1 check".
    const [member] = await server.classroom.store.membersOf(classId);
    const line = { id: 'echo-line', title: 'Echoes a line back', pass: true, sent: 'x', expected: 'x', got: 'x', hint: '' };
    await server.classroom.recordCheck({ learnerId: member!.learnerId, exerciseId: 'tcp-echo', lang: 'ts', passed: 1, total: 1, checks: [line] });
    const cell = teach.locator(`tr[data-member] td[data-exercise="tcp-echo"] a`);
    await cell.filter({ hasText: '1 check' }).waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await cell.innerText(), /1 checks/);
    await cell.click();
    await teach.getByRole('heading', { level: 1, name: `Ada ${run} · Concurrent echo server` }).waitFor();
    assert.equal(await teach.title(), `Ada ${run} · Concurrent echo server · Socket Lab`);
    assert.match(await teach.locator('main').innerText(), /1 of 1 check passes \(ts\)/);
    assert.match(await teach.locator('main').innerText(), DATE);

    // The exercise page: the due date in the one format, in the learner's own zone, named.
    await learn.goto(`${server.base}/exercises/tcp-echo/`);
    const classLine = learn.locator('[data-class]');
    await classLine.filter({ hasText: 'You are in a class' }).waitFor({ timeout: 15_000 });
    const said = await classLine.innerText();
    assert.match(said, new RegExp(`due ${DATE.source}`));
    assert.match(said, /America\/Chicago/);
    assert.doesNotMatch(said, /\d{1,2}\/\d{1,2}\/\d{4}|AM|PM/);

    // The home page: what is here for learners and instructors, with links.
    await learn.goto(`${server.base}/`);
    for (const [heading, links] of [
      ['For learners', ['/intro/', '/tcp/', '/exercises/', '/join/']],
      ['For instructors', ['/classes/', '/account/signin/']],
    ] as const) {
      await learn.getByRole('heading', { name: heading }).waitFor();
      for (const href of links) assert.ok((await learn.locator(`a[href="${href}"]`).count()) > 0, `${heading}: a link to ${href}`);
    }
  });
});
