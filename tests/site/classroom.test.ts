/**
 * The classroom end to end, in a real browser against the real server, real bwrap labs and its own
 * classroom database: an instructor signs up, makes a class and an assignment of two exercises and
 * keeps its dashboard open; a student joins from the link in a second browser context, solves one
 * exercise in the lab (Start in the lab, the reference solution typed into the lab's editor and
 * saved, Check my work) and the instructor's dashboard shows the pass without a reload (the row
 * and the cell arrive over server-sent events). The CSV has the right lines, the student's
 * /my/ page shows the pass, and axe-core finds no serious problem on the dashboard or the join page.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../support/examples.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';
import { axeViolations, launchChromium, screen, waitForScreen } from './browser-support.ts';

const SOLVED = 'tcp-echo'; // TypeScript: no build step, so the check is quick
const LANG = 'ts';
const SOLUTION_FILE = 'server.ts';
const UNTOUCHED = 'udp-upper'; // assigned too, never started: stays "not started"
const LIVE = 'Live: rows update as checks arrive.';

let server: TestServer;
let browser: Browser;
let instructor: BrowserContext;
let student: BrowserContext;

before(async () => {
  server = await startTestServer({ LAB_WARM_POOL: '1' });
  browser = await launchChromium();
  instructor = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  student = await browser.newContext({ viewport: { width: 1400, height: 900 } });
});
after(async () => {
  await instructor?.close();
  await student?.close();
  await browser?.close();
  await server?.stop();
});

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF lines) as rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** Whether the page is still the document loaded at first (the marker set then survives only without a reload or navigation). */
function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true);
}

/** Waits for `locator`-ish state in the page, failing with what the page shows instead. */
async function waitOrExplain(page: Page, what: string, wait: () => Promise<unknown>, explain: () => Promise<string>): Promise<void> {
  try {
    await wait();
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message.split('\n')[0]}\nThe page shows: ${await explain().catch((e: Error) => `(could not read it: ${e.message})`)}`);
  }
}

describe('the classroom, end to end', () => {
  it('a student\'s passing check in the lab reaches the instructor\'s open dashboard live, the CSV and their own page', { timeout: 300_000 }, async () => {
    const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const email = `teacher-${run}@example.test`;
    const className = `Networks ${run}`;
    const title = `Week 1 ${run}`;
    const studentName = `Ada ${run}`;
    const solution = readFileSync(join(ROOT, 'content/exercises', SOLVED, 'solution', LANG, SOLUTION_FILE), 'utf8');

    // The instructor: sign up, make a class, then an assignment of two exercises.
    const teach = await instructor.newPage();
    await teach.goto(`${server.base}/account/signup/`);
    await teach.locator('input[name="email"]').fill(email);
    await teach.locator('input[name="name"]').fill(`Grace ${run}`);
    await teach.locator('input[name="password"]').fill('correct horse battery staple');
    await teach.getByRole('button', { name: 'Create account' }).click();
    await teach.waitForURL(`${server.base}/classes/`);

    await teach.locator('input[name="name"]').fill(className);
    await teach.getByRole('button', { name: 'Create class' }).click();
    await teach.waitForURL(/\/classes\/\d+\/$/);
    const classId = /\/classes\/(\d+)\/$/.exec(teach.url())![1];
    const joinLink = await teach.locator('a[data-join-link]').getAttribute('href');
    assert.ok(joinLink && joinLink.startsWith(`${server.base}/join/`), `the join link is on this server: ${joinLink}`);
    const joinCode = (await teach.locator('[data-join-code]').textContent())?.trim() ?? '';
    assert.ok(joinCode.length > 0 && joinLink.includes(joinCode), `the join link ${joinLink} carries the code ${joinCode}`);

    await teach.locator('input[name="title"]').fill(title);
    await teach.locator(`input[name="exercises"][value="${SOLVED}"]`).check();
    await teach.locator(`input[name="exercises"][value="${UNTOUCHED}"]`).check();
    assert.ok((await teach.locator('input[name="opensAt"]').inputValue()) !== '', 'opensAt is prefilled');
    assert.ok((await teach.locator('input[name="dueAt"]').inputValue()) !== '', 'dueAt is prefilled');
    await teach.getByRole('button', { name: 'Create assignment' }).click();
    await teach.waitForURL(new RegExp(`/classes/${classId}/assignments/\\d+/$`));
    const dashboard = teach.url();

    // The dashboard stays open from here on, never reloaded; its event stream must be live.
    await teach.evaluate(() => ((window as unknown as { __notReloaded?: boolean }).__notReloaded = true));
    await waitOrExplain(teach, 'the dashboard never said its live feed was open', () => teach.locator('[data-live]', { hasText: LIVE }).waitFor({ timeout: 15_000 }), () => teach.locator('[data-live]').innerText());
    assert.deepEqual(await teach.locator('table[data-grid] thead th[scope="col"]').allInnerTexts().then((t) => t.length), 4, 'student, two exercises, passed');
    assert.equal(await teach.locator('tr[data-member]').count(), 0, 'no student yet');

    // The student, in a browser of their own: join from the link.
    const learn = await student.newPage();
    await learn.goto(joinLink);
    assert.deepEqual(await axeViolations(learn), [], 'the join page has no serious or critical accessibility violations');
    await learn.locator('input[name="displayName"]').fill(studentName);
    await learn.getByRole('button', { name: 'Join the class' }).click();
    await learn.waitForURL(/\/my\/\?joined=1$/);
    await learn.getByText(title, { exact: true }).waitFor();

    // The row arrives on the dashboard over SSE: the student joined after it loaded.
    const row = teach.locator('table[data-grid] tbody tr[data-member]', { hasText: studentName });
    const solvedCell = row.locator(`td[data-exercise="${SOLVED}"]`);
    const untouchedCell = row.locator(`td[data-exercise="${UNTOUCHED}"]`);
    const gridText = () => teach.locator('table[data-grid]').innerText();
    await waitOrExplain(teach, `the student's row did not arrive on the open dashboard`, () => row.waitFor({ timeout: 15_000 }), gridText);
    assert.equal(await teach.locator('tr[data-empty]').count(), 0, 'the "no students yet" line went when the row came');
    assert.equal(await solvedCell.getAttribute('class'), 'not-started');
    assert.equal(await untouchedCell.getAttribute('class'), 'not-started');
    assert.equal(await notReloaded(teach), true, 'the dashboard was not reloaded');

    // The student solves the exercise in the lab.
    await learn.goto(`${server.base}/exercises/${SOLVED}/`);
    const exercise = learn.locator(`[data-exercise="${SOLVED}"]`);
    const status = exercise.locator('[data-status]');
    await learn.locator('[data-class]', { hasText: 'You are in a class' }).waitFor({ timeout: 15_000 });
    await exercise.locator('select[data-lang]').selectOption(LANG);
    await exercise.locator('[data-action="start"]').click();
    await waitOrExplain(learn, 'Start in the lab did not put the starter in the lab', () => status.filter({ hasText: `Your files are in ~/exercises/${SOLVED}/${LANG}/` }).waitFor({ timeout: 60_000 }), () => status.innerText());

    // Starting counts as work: the cell goes "in progress", live.
    await waitOrExplain(teach, 'the dashboard cell did not turn in-progress after Start', () => solvedCell.and(teach.locator('td.in-progress')).waitFor({ timeout: 15_000 }), gridText);

    await learn.getByRole('button', { name: 'Open the lab' }).click();
    await waitForScreen(learn, 'work', ['$ '], { timeout: 60_000 });
    await learn.getByRole('button', { name: 'Files' }).click();
    const editorStatus = learn.locator('.lab-editor-status');
    await waitOrExplain(learn, 'the editor did not open the exercise file', () => editorStatus.filter({ hasText: `Editing ~/exercises/${SOLVED}/${LANG}/${SOLUTION_FILE}` }).waitFor({ timeout: 30_000 }), () => editorStatus.innerText());
    await learn.locator('.cm-content').click();
    await learn.keyboard.press('Control+A');
    await learn.keyboard.insertText(solution);
    await learn.keyboard.press('Control+S');
    await waitOrExplain(learn, 'the editor did not save', () => editorStatus.filter({ hasText: 'Saved' }).waitFor({ timeout: 30_000 }), () => editorStatus.innerText());

    // The file in the lab is the reference solution, byte for byte (read in a lab terminal).
    const sha = createHash('sha256').update(solution).digest('hex');
    await learn.locator('#lab-term-work-tab').click();
    const from = (await screen(learn, 'work')).length;
    // The quotes keep the typed command line from containing the marker its output ends with.
    await learn.keyboard.type(`sha256sum ~/exercises/${SOLVED}/${LANG}/${SOLUTION_FILE}; echo "sha""-done"\n`);
    const shown = await waitForScreen(learn, 'work', ['sha-done'], { from, timeout: 30_000 });
    assert.ok(shown.slice(from).includes(sha), `the lab's ${SOLUTION_FILE} is the reference solution (sha256 ${sha}); the terminal shows:\n${shown.slice(from)}`);

    await exercise.locator('[data-action="check"]').click();
    await waitOrExplain(
      learn,
      'the check did not report every check passing and saved',
      () => status.filter({ hasText: /checks pass\./ }).waitFor({ timeout: 90_000 }),
      async () => `${await status.innerText()}\n${(await exercise.locator('[data-results]').innerText()).slice(0, 2000)}`,
    );
    const said = await status.innerText();
    const counts = /(\d+) of (\d+) checks pass\./.exec(said);
    assert.ok(counts && Number(counts[2]) > 0 && counts[1] === counts[2], `every check passes: "${said}"\n${await exercise.locator('[data-results]').innerText()}`);
    assert.ok(said.includes('Saved for your class.'), `the check was saved for the class: "${said}"`);
    const checksTotal = Number(counts[2]);

    // The dashboard, still the same document, shows the pass.
    await waitOrExplain(teach, `the ${SOLVED} cell did not turn "passed" on the open dashboard`, () => solvedCell.and(teach.locator('td.passed')).waitFor({ timeout: 20_000 }), gridText);
    assert.match(await solvedCell.innerText(), /^Passed/);
    assert.equal(await untouchedCell.getAttribute('class'), 'not-started', `${UNTOUCHED} stays not started`);
    assert.equal(await untouchedCell.innerText(), 'Not started');
    assert.equal((await row.locator('td').last().innerText()).trim(), '1 / 2');
    assert.equal(await notReloaded(teach), true, 'the dashboard was not reloaded: the row and the pass came over the event stream');
    assert.equal(teach.url(), dashboard);
    await teach.locator('[data-announce]', { hasText: `${studentName}: 1 of 2 passed.` }).waitFor({ timeout: 5_000 });

    // The CSV, with the instructor's cookies.
    const csvLink = teach.locator('a[href$="results.csv"]');
    assert.equal(await csvLink.count(), 1, 'the dashboard links its CSV');
    const response = await teach.request.get(new URL((await csvLink.getAttribute('href'))!, dashboard).href);
    assert.equal(response.status(), 200, `the CSV answers 200: ${await response.text()}`);
    assert.match(response.headers()['content-type'] ?? '', /^text\/csv/);
    const [header, ...lines] = parseCsv(await response.text());
    assert.deepEqual(header, ['student', 'exercise', 'state', 'checks_passed', 'checks_total', 'attempts', 'passed_at', 'late', 'due_at', 'status']);
    const records = lines.map((l) => Object.fromEntries(header!.map((h, i) => [h, l[i] ?? ''])));
    assert.equal(records.length, 2, `one line per student and exercise:\n${JSON.stringify(records, null, 1)}`);
    const passed = records.find((r) => r.student === studentName && r.exercise === SOLVED);
    assert.ok(passed, `a line for ${studentName} and ${SOLVED}`);
    assert.equal(passed.state, 'passed');
    assert.equal(passed.checks_total, String(checksTotal));
    assert.equal(passed.checks_passed, passed.checks_total);
    assert.ok(Number(passed.attempts) >= 1, `attempts ${passed.attempts}`);
    assert.match(passed.passed_at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.ok(Math.abs(Date.parse(passed.passed_at!) - Date.now()) < 10 * 60_000, `passed_at ${passed.passed_at} is just now`);
    assert.equal(passed.late, 'no');
    assert.match(passed.status!, /^Passed/);
    const untouched = records.find((r) => r.student === studentName && r.exercise === UNTOUCHED);
    assert.ok(untouched, `a line for ${studentName} and ${UNTOUCHED}`);
    assert.equal(untouched.state, 'not-started');
    assert.equal(untouched.passed_at, '');
    assert.equal(untouched.attempts, '0');

    // The student's own page shows the assignment and the pass.
    await learn.goto(`${server.base}/my/`);
    await learn.getByRole('heading', { name: title }).waitFor();
    const solvedItem = learn.locator('li', { has: learn.locator(`a[href="/exercises/${SOLVED}/"]`) });
    assert.match(await solvedItem.innerText(), /: passed\b/);
    const untouchedItem = learn.locator('li', { has: learn.locator(`a[href="/exercises/${UNTOUCHED}/"]`) });
    assert.match(await untouchedItem.innerText(), /: not started\b/);

    // The dashboard, with its live row, passes axe.
    assert.deepEqual(await axeViolations(teach), [], 'the dashboard has no serious or critical accessibility violations');
    assert.equal(await notReloaded(teach), true);
  });
});
