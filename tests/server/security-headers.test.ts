/**
 * Every answer of the real server carries the security headers (server/security-headers.ts):
 * static lesson pages, the classroom's on-demand pages, API answers (JSON, errors), /healthz and
 * /metrics. The Content-Security-Policy allows no inline script but the built site's own, by hash;
 * HSTS is sent only when PUBLIC_URL is https. Chromium checks the policy against the pages in
 * tests/site/csp.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../support/examples.ts';
import { deleteLab } from '../support/lab-client.ts';
import type { LabTicket } from '../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

let plain: TestServer;
let https: TestServer;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  plain = await startTestServer();
  https = await startTestServer({ PUBLIC_URL: 'https://sockets.example.org' });
});
after(async () => {
  await plain?.stop();
  await https?.stop();
});

const PATHS = [
  ['a lesson page (static)', 'GET', '/tcp/'],
  ['a file of the site', 'GET', '/favicon.svg'],
  ['the sign-in page (on demand)', 'GET', '/account/signin/'],
  ['an on-demand JSON answer', 'GET', '/my/learner.json'],
  ['a page that does not exist', 'GET', '/no-such-page/'],
  ['an API error', 'GET', '/api/labs/no-such-lab'],
  ['a lab start', 'POST', '/api/labs'],
  ['/healthz', 'GET', '/healthz'],
  ['/metrics', 'GET', '/metrics'],
] as const;

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('security headers', () => {
  it('are on every answer: a CSP without inline scripts, no framing, no sniffing, a same-origin referrer', async () => {
    for (const [what, method, path] of PATHS) {
      const res = await fetch(`${plain.base}${path}`, { method });
      const body = await res.text();
      if (res.status === 201) await deleteLab(plain.base, JSON.parse(body) as LabTicket);
      const csp = res.headers.get('content-security-policy');
      assert.ok(csp, `${what} (${path}, ${res.status}) has a Content-Security-Policy`);
      const policy = directives(csp);
      assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], what);
      assert.deepEqual(policy.get('default-src'), ["'self'"], what);
      assert.deepEqual(policy.get('object-src'), ["'none'"], what);
      assert.ok(!policy.get('script-src')!.includes("'unsafe-inline'") && !policy.get('script-src')!.includes("'unsafe-eval'"), `${what}: ${policy.get('script-src')}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', what);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
      assert.equal(res.headers.get('strict-transport-security'), null, `${what}: no HSTS without an https PUBLIC_URL`);
    }
  });

  it('allows by hash exactly the inline scripts of the built pages, such as Starlight\'s theme script', async () => {
    const html = readFileSync(join(ROOT, 'dist/client/tcp/index.html'), 'utf8');
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.ok(inline.some((s) => s.includes('StarlightThemeProvider')), 'the built page has Starlight\'s inline theme script');
    const scriptSrc = directives((await fetch(`${plain.base}/tcp/`)).headers.get('content-security-policy')!).get('script-src')!;
    for (const script of inline) assert.ok(scriptSrc.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`), `the hash of ${script.trim().slice(0, 60)}...`);
  });

  it('add HSTS when PUBLIC_URL is https', async () => {
    for (const path of ['/tcp/', '/account/signin/', '/healthz']) {
      const res = await fetch(`${https.base}${path}`);
      await res.arrayBuffer();
      assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000', path);
    }
  });
});
