/**
 * Takes the README's screenshots of a running Socket Lab with Debian's Chromium:
 *   node scripts/screenshot.ts [base-url]   (default http://127.0.0.1:4321, e.g. from `npm start`)
 * Writes docs/screenshots/lab-{light,dark}.png: the TCP lesson in Go with the lab open, the
 * server running in one terminal and a client talking to it in another; and
 * docs/screenshots/dashboard.png: an assignment's dashboard after three students worked on it
 * (real labs and real checks: one solves tcp-echo with the reference solution, one runs the
 * starter, one has only pressed Start).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:4321';
const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });

type LabHook = { socketLab?: { screen(name: string): string | null } };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const theme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    await page.goto(`${base}/tcp/`);
    await page.getByRole('tab', { name: 'Go' }).first().click();
    await page.locator('[data-lab-interrupt] [data-lab-run="server"]:visible').first().click();
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('server')?.includes('listening on'), null, { timeout: 60_000 });
    await page.locator('[data-lab-interrupt] [data-lab-run="client"]:visible').first().click();
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('client')?.includes('connected to'), null, { timeout: 60_000 });
    await page.keyboard.type('hello from the browser\n');
    await page.waitForFunction(() => (window as LabHook).socketLab?.screen('client')?.includes('echo: hello from the browser'));
    await page.locator('[data-lab-interrupt] [data-lab-run="client"]:visible').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL(`lab-${theme}.png`, out).pathname });
    await page.getByRole('button', { name: 'End lab' }).click();
    await page.close();
  }

  // The classroom: an instructor, a class, an assignment, three students at different stages.
  const teacher = await browser.newContext({ viewport: { width: 1280, height: 640 } });
  const page = await teacher.newPage();
  await page.goto(`${base}/account/signup/`);
  await page.getByLabel('Email').fill(`screenshot-${Date.now()}@example.org`);
  await page.getByLabel('Your name').fill('Ada Instructor');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Class name').fill('Networks 101, autumn');
  await page.getByRole('button', { name: 'Create class' }).click();
  const joinLink = (await page.locator('[data-join-link]').textContent())!;
  await page.getByLabel('Title').fill('Week 3: TCP and UDP');
  for (const id of ['tcp-echo', 'tcp-frames', 'udp-upper']) await page.locator(`input[name="exercises"][value="${id}"]`).check();
  await page.getByRole('button', { name: 'Create assignment' }).click();
  const dashboard = page.url();

  const solution = readFileSync(new URL('../content/exercises/tcp-echo/solution/ts/server.ts', import.meta.url), 'utf8');
  for (const [name, stage] of [['Grace', 'solved'], ['Linus', 'starter'], ['Margaret', 'started']] as const) {
    const student = await browser.newContext();
    const tab = await student.newPage();
    await tab.goto(joinLink);
    await tab.getByLabel('Your name').fill(name);
    await tab.getByRole('button', { name: 'Join the class' }).click();
    await tab.evaluate(
      async ({ stage, solution }) => {
        const lab = (await (await fetch('/api/labs', { method: 'POST' })).json()) as { labId: string; token: string };
        const call = (path: string, init: RequestInit = {}) => fetch(`/api/labs/${lab.labId}/${path}`, { ...init, headers: { Authorization: `Bearer ${lab.token}`, 'Content-Type': 'application/json' } });
        await call('exercises/tcp-echo/start', { method: 'POST', body: '{"lang":"ts"}' });
        if (stage === 'solved') await call('files/exercises/tcp-echo/ts/server.ts', { method: 'PUT', body: solution });
        if (stage !== 'started') await call('exercises/tcp-echo/check', { method: 'POST', body: '{"lang":"ts"}' });
        await fetch(`/api/labs/${lab.labId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${lab.token}` } });
      },
      { stage, solution },
    );
    await student.close();
  }
  await page.goto(dashboard);
  await page.locator('table[data-grid]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: new URL('dashboard.png', out).pathname });
  await teacher.close();
} finally {
  await browser.close();
}
