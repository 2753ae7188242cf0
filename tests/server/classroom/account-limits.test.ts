/**
 * Accounts under attack, over HTTP against the real server. Clients at other addresses are played
 * with X-Forwarded-For (the server trusts one proxy, TRUSTED_PROXIES=127.0.0.1; nothing is contacted there).
 * Wrong passwords slow down the address that sends them (per account and address, and per address
 * in all), never the account's owner signing in from elsewhere; sign-ups and reset requests are
 * limited per address.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGN_IN_LIMITS } from '../../../server/classroom/limits.ts';
import { FormClient } from '../../support/form-client.ts';
import { ROOT } from '../../support/examples.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

const SIGNUPS = 3;
const RESETS = 3;
const PASSWORD = 'correct horse battery';

let server: TestServer;
let unique = 0;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/client/index.html')), 'no built site: run `npm run build` first (./socketlab test does)');
  server = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1', PUBLIC_URL: 'http://sockets.example.test', SIGNUPS_PER_HOUR: String(SIGNUPS), RESET_REQUESTS_PER_HOUR: String(RESETS) });
});
after(async () => {
  await server?.stop();
});

/** A client at its own address (documentation ranges, RFC 5737: only ever a header value here). */
function at(address: string): FormClient {
  return new FormClient(server.base, { 'X-Forwarded-For': address });
}

const email = (what: string) => `${what}-${process.pid}-${++unique}@example.org`;

describe('sign-in failures', () => {
  it('slow down the attacker\'s address, not the owner signing in from theirs', async () => {
    const owner = email('owner');
    assert.equal((await at('198.51.100.1').post('/account/signup/', { email: owner, name: 'Owner', password: PASSWORD })).status, 303);
    const attacker = at('203.0.113.66');
    for (let i = 0; i < 2 * SIGN_IN_LIMITS.accountAndAddress; i++) {
      const page = await attacker.post('/account/signin/', { email: owner, password: `guess number ${i}` });
      assert.equal(page.status, i < SIGN_IN_LIMITS.accountAndAddress ? 401 : 429, `guess ${i}`);
    }
    const home = await at('198.51.100.1').post('/account/signin/', { email: owner, password: PASSWORD });
    assert.equal(home.status, 303, `the owner signs in from their own address: ${home.status}`);
    const cafe = await at('192.0.2.44').post('/account/signin/', { email: owner, password: PASSWORD });
    assert.equal(cafe.status, 303, 'and from a third one');

    const locked = await attacker.post('/account/signin/', { email: owner, password: PASSWORD });
    assert.equal(locked.status, 429, 'even the right password, from the attacker\'s address');
    assert.match(locked.text, /Too many failed sign-ins; try again in \d+ minute\(s\), or reset the password\. \(Failures on this account from your address count\.\)/);
    assert.ok(Number(locked.headers.get('retry-after')) > 60, `Retry-After ${locked.headers.get('retry-after')}`);
  });

  it('past the limit per address, an address is slowed down on every account', async () => {
    const attacker = at('203.0.113.77');
    for (let i = 0; i < SIGN_IN_LIMITS.address; i++) {
      assert.equal((await attacker.post('/account/signin/', { email: email('nobody'), password: 'wrong password!' })).status, 401, `failure ${i}`);
    }
    const next = await attacker.post('/account/signin/', { email: email('another'), password: 'wrong password!' });
    assert.equal(next.status, 429);
    assert.match(next.text, /Too many failed sign-ins; try again in \d+ minute\(s\)\. \(Failures from your address on any account count\.\)/);
    const victim = email('victim');
    assert.equal((await at('198.51.100.2').post('/account/signup/', { email: victim, name: 'V', password: PASSWORD })).status, 303);
    assert.equal((await at('198.51.100.2').post('/account/signin/', { email: victim, password: PASSWORD })).status, 303, 'others are not held back');
  });
});

describe('sign-ups and reset requests', () => {
  it(`are limited to ${SIGNUPS} sign-ups an hour per address`, async () => {
    const school = at('203.0.113.88');
    for (let i = 0; i < SIGNUPS; i++) assert.equal((await school.post('/account/signup/', { email: email('bulk'), name: 'B', password: PASSWORD })).status, 303, `sign-up ${i}`);
    const refused = await at('203.0.113.88').post('/account/signup/', { email: email('bulk'), name: 'B', password: PASSWORD });
    assert.equal(refused.status, 429);
    assert.match(refused.text, new RegExp(`Accounts were made from your address ${SIGNUPS} times in the last hour, the most this server allows; try again in \\d+ minute`));
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await at('198.51.100.9').post('/account/signup/', { email: email('elsewhere'), name: 'E', password: PASSWORD })).status, 303, 'another address may');
  });

  it(`are limited to ${RESETS} reset requests an hour per address`, async () => {
    const target = email('reset-target');
    assert.equal((await at('198.51.100.3').post('/account/signup/', { email: target, name: 'R', password: PASSWORD })).status, 303);
    const spammer = at('203.0.113.99');
    for (let i = 0; i < RESETS; i++) {
      const page = await spammer.post('/account/forgot/', { email: target });
      assert.equal(page.status, 200, `request ${i}`);
      assert.match(page.text, /If an account has this email/);
    }
    const refused = await spammer.post('/account/forgot/', { email: email('any') });
    assert.equal(refused.status, 429);
    assert.match(refused.text, new RegExp(`Reset links were asked for from your address ${RESETS} times in the last hour, the most this server allows; try again in \\d+ minute`));
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await at('198.51.100.3').post('/account/forgot/', { email: target })).status, 200, 'the owner, at their address, still may');
  });
});
