/**
 * Join and reset links never point where a request's Host header says, over HTTP against the real
 * server. With PUBLIC_URL they point there; without it, only a request from this machine to a
 * localhost name gets one; any other gets no link, and the page and the log say to set PUBLIC_URL.
 * Other addresses are played with X-Forwarded-For (TRUSTED_PROXIES=127.0.0.1); Host is forged as an attacker
 * would. Log lines are read from the server's logger.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { log } from '../../../server/log.ts';
import { FormClient } from '../../support/form-client.ts';
import { ROOT } from '../../support/examples.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

const PASSWORD = 'correct horse battery';
const EVIL = { Host: 'evil.example' };
const ELSEWHERE = { 'X-Forwarded-For': '203.0.113.5' };

let local: TestServer;
let proxied: TestServer;
let unique = 0;
let warnings: string[] = [];

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  local = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1' });
  proxied = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1', PUBLIC_URL: 'https://sockets.example.org' });
  mock.method(log, 'warn', (...args: unknown[]) => void warnings.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')));
});
afterEach(() => {
  warnings = [];
});
after(async () => {
  mock.restoreAll();
  await local?.stop();
  await proxied?.stop();
});

async function account(server: TestServer): Promise<{ email: string; client: FormClient }> {
  const email = `links-${process.pid}-${++unique}@example.org`;
  const client = new FormClient(server.base);
  assert.equal((await client.post('/account/signup/', { email, name: 'L', password: PASSWORD })).status, 303);
  return { email, client };
}

/** Asks for a reset of `email` as a client with `headers`; the CSRF token comes from a plain GET. */
async function askReset(server: TestServer, email: string, headers: Record<string, string>) {
  const client = new FormClient(server.base);
  const csrf = (await client.get('/account/forgot/')).csrf;
  const forged = new FormClient(server.base, headers);
  for (const [name, value] of client.cookies) forged.cookies.set(name, value);
  return forged.post('/account/forgot/', { email }, { csrf });
}

describe('password reset links', () => {
  it('without PUBLIC_URL, are refused to another machine and to a forged Host, with page and log saying to set PUBLIC_URL', async () => {
    const { email } = await account(local);
    for (const headers of [{ ...ELSEWHERE, ...EVIL }, ELSEWHERE, EVIL]) {
      const page = await askReset(local, email, headers);
      assert.equal(page.status, 503, JSON.stringify(headers));
      assert.match(page.text, /This server cannot make reset links yet.*set PUBLIC_URL to the address people open/);
    }
    assert.ok(warnings.length >= 3 && warnings.every((w) => /set PUBLIC_URL/.test(w)), warnings.join('\n'));
    assert.ok(!warnings.some((w) => w.includes('evil.example')) && !warnings.some((w) => /reset link for/.test(w)), `no link was logged:\n${warnings.join('\n')}`);
  });

  it('without PUBLIC_URL, are made for a request from this machine to its localhost address', async () => {
    const { email } = await account(local);
    const page = await askReset(local, email, {});
    assert.equal(page.status, 200, page.text);
    const line = warnings.find((w) => w.includes(`password reset link for ${email}`));
    assert.ok(line, warnings.join('\n'));
    assert.match(line, new RegExp(`${local.base}/account/reset/[A-Za-z0-9_-]+/`));
  });

  it('with PUBLIC_URL, point there whatever Host the request names', async () => {
    const { email } = await account(proxied);
    const page = await askReset(proxied, email, { ...ELSEWHERE, ...EVIL });
    assert.equal(page.status, 200, page.text);
    const line = warnings.find((w) => w.includes(`password reset link for ${email}`));
    assert.ok(line, warnings.join('\n'));
    assert.match(line, /https:\/\/sockets\.example\.org\/account\/reset\/[A-Za-z0-9_-]+\//);
    assert.ok(!line.includes('evil.example'), line);
  });
});

describe('join links', () => {
  it('without PUBLIC_URL, are not shown to an instructor on another machine; the page says to set PUBLIC_URL and still gives the code', async () => {
    const { client } = await account(local);
    const made = await client.post('/classes/', { name: 'Remote' });
    assert.equal(made.status, 303);
    for (const headers of [ELSEWHERE, EVIL]) {
      const remote = new FormClient(local.base, headers);
      for (const [name, value] of client.cookies) remote.cookies.set(name, value);
      const page = await remote.get(made.location!);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /data-join-link/);
      assert.doesNotMatch(page.text, /evil\.example/);
      assert.match(page.text, /data-join-code>[A-Z0-9]{4}-[A-Z0-9]{4}</);
      assert.match(page.text, /it shows no join link\. Whoever runs it must set PUBLIC_URL/);
    }
    assert.ok(warnings.some((w) => /a join link was asked for .*set PUBLIC_URL/.test(w)), warnings.join('\n'));
    const here = await client.get(made.location!);
    assert.match(here.text, new RegExp(`data-join-link>${local.base}/join/[A-Z0-9]{4}-[A-Z0-9]{4}/<`), 'this machine, as localhost, gets the link');
  });

  it('with PUBLIC_URL, point there whatever Host the request names', async () => {
    const { client } = await account(proxied);
    const made = await client.post('/classes/', { name: 'Public' });
    const remote = new FormClient(proxied.base, { ...ELSEWHERE, ...EVIL });
    for (const [name, value] of client.cookies) remote.cookies.set(name, value);
    const page = await remote.get(made.location!);
    assert.match(page.text, /data-join-link>https:\/\/sockets\.example\.org\/join\/[A-Z0-9]{4}-[A-Z0-9]{4}\/</);
    assert.doesNotMatch(page.text, /evil\.example/);
  });
});
