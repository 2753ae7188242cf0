/**
 * GET /metrics and METRICS_TOKEN, against the real server: unset, /metrics answers anyone (as
 * before, for a scraper on a private port); set, only `Authorization: Bearer <token>`, and 401
 * with WWW-Authenticate otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { startTestServer, type TestServer } from '../support/server-harness.ts';

const TOKEN = 'a-metrics-token-of-32-characters';

let open: TestServer;
let guarded: TestServer;

before(async () => {
  open = await startTestServer();
  guarded = await startTestServer({ METRICS_TOKEN: TOKEN });
});
after(async () => {
  await open?.stop();
  await guarded?.stop();
});

describe('/metrics', () => {
  it('answers anyone while METRICS_TOKEN is unset', async () => {
    const res = await fetch(`${open.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^socketlab_labs_running /m);
  });

  it('with METRICS_TOKEN, needs the token as a Bearer token', async () => {
    const refused: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token-wrong-token-wrong' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }];
    for (const headers of refused) {
      const res = await fetch(`${guarded.base}/metrics`, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      const body = (await res.json()) as { error: string; reason: string };
      assert.equal(body.reason, 'unauthorized');
      assert.match(body.error, /Authorization: Bearer <METRICS_TOKEN>/);
    }
    const res = await fetch(`${guarded.base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^socketlab_labs_running /m);
  });

  it('refuses a token too short to be a secret, saying how to make one', () => {
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'secret' }), /METRICS_TOKEN="secret": must be at least 16 characters \(make one with: openssl rand -hex 32\)/);
  });
});
