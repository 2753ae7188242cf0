/**
 * X-Forwarded-For is believed only from TRUSTED_PROXIES: unit tests of the walk from the header's
 * right end, the setting's validation, and a real server on which a peer that is not a proxy cannot
 * dodge MAX_LABS_PER_CLIENT by naming other addresses. The "proxy" is a second loopback address
 * (127.0.0.2) the requests are sent from.
 */
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { clientAddress, clientKey, trustedProxies } from '../../server/client-address.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { testDrivers } from '../support/drivers.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

const req = (remote: string, forwarded?: string | string[]) =>
  ({ socket: { remoteAddress: remote }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('clientAddress with TRUSTED_PROXIES', () => {
  const proxies = trustedProxies(['10.0.0.0/8', '2001:db8:ff::/48', '127.0.0.1']);

  it('ignores X-Forwarded-For from a peer that is not a listed proxy', () => {
    assert.equal(clientAddress(req('203.0.113.9', '198.51.100.1'), proxies), '203.0.113.9');
    assert.equal(clientAddress(req('2001:db8:1::5', '198.51.100.1'), proxies), '2001:db8:1::5');
  });

  it('walks from the right, skipping listed proxies, to the first hop that is not one', () => {
    assert.equal(clientAddress(req('10.0.0.2', '198.51.100.66, 203.0.113.7, 10.1.2.3'), proxies), '203.0.113.7');
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.66, 203.0.113.7, 2001:db8:ff::1, 10.9.9.9'), proxies), '203.0.113.7');
    assert.equal(clientAddress(req('10.0.0.2', ['198.51.100.66', '203.0.113.7']), proxies), '203.0.113.7', 'repeated headers are one list');
  });

  it('matches an IPv4-mapped peer against the IPv4 entries', () => {
    assert.equal(clientAddress(req('::ffff:10.0.0.2', '203.0.113.7'), proxies), '203.0.113.7');
  });

  it('stops at a hop that is not an address: the last proxy is who is known', () => {
    assert.equal(clientAddress(req('10.0.0.2', '203.0.113.7, unknown'), proxies), '10.0.0.2');
    assert.equal(clientAddress(req('10.0.0.2', 'unknown, 10.0.0.5'), proxies), '10.0.0.5');
    assert.equal(clientAddress(req('10.0.0.2', ''), proxies), '10.0.0.2');
  });

  it('keeps counting an IPv6 client per /64', () => {
    assert.equal(clientKey(clientAddress(req('10.0.0.2', '2001:db8:7:7::1'), proxies)), '2001:db8:7:7::/64');
  });
});

describe('TRUSTED_PROXIES setting', () => {
  it('takes addresses and CIDR networks of both families', () => {
    assert.deepEqual(loadConfig({ TRUSTED_PROXIES: ' 127.0.0.1, ::1,172.18.0.0/16 ,fd00::/8' }).TRUSTED_PROXIES, ['127.0.0.1', '::1', '172.18.0.0/16', 'fd00::/8']);
    assert.deepEqual(loadConfig({}).TRUSTED_PROXIES, []);
  });

  it('refuses what is not an address or network, naming it', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '10.0.0.0/x']) {
      assert.throws(() => loadConfig({ TRUSTED_PROXIES: `127.0.0.1,${bad}` }), (err: Error) => err instanceof ConfigError && err.message.includes(`TRUSTED_PROXIES`) && err.message.includes(`${bad}: not an address or CIDR network`));
    }
  });

  it('refuses the old TRUST_PROXY hop count, saying what replaced it', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: '1' }), /TRUST_PROXY="1" is no longer read.*TRUSTED_PROXIES/);
    assert.doesNotThrow(() => loadConfig({ TRUST_PROXY: '0' }));
  });
});

/** POST /api/labs from `from` (a loopback address), with an X-Forwarded-For header. */
function startLab(base: string, from: string, forwarded: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const post = request(`${base}/api/labs`, { method: 'POST', localAddress: from, headers: { 'X-Forwarded-For': forwarded } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    post.once('error', reject);
    post.end();
  });
}

for (const driver of testDrivers()) describe(`on ${driver}: MAX_LABS_PER_CLIENT behind TRUSTED_PROXIES`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, TRUSTED_PROXIES: '127.0.0.2', MAX_LABS_PER_CLIENT: '1' });
  });
  after(() => server?.stop());

  it('ignores the X-Forwarded-For of a peer that is not a proxy', async () => {
    assert.equal(await startLab(server.base, '127.0.0.1', '198.51.100.1'), 201);
    assert.equal(await startLab(server.base, '127.0.0.1', '198.51.100.2'), 429, 'a direct peer named another address and got a second lab');
  });

  it('tells learners apart by what the listed proxy saw, not what they wrote', async () => {
    assert.equal(await startLab(server.base, '127.0.0.2', '198.51.100.10'), 201);
    assert.equal(await startLab(server.base, '127.0.0.2', '198.51.100.11, 198.51.100.10'), 429, 'a learner forged a hop to the left of what the proxy saw');
    assert.equal(await startLab(server.base, '127.0.0.2', '198.51.100.11'), 201, 'another learner behind the proxy');
  });
});
