/**
 * Operating the server: its log is JSON lines that name the lab and never hold a token, /metrics
 * counts what happens, learners behind a reverse proxy are told apart (TRUSTED_PROXIES), and SIGTERM
 * ends every lab with reason `shutdown` and exits 0. The server runs as a program
 * (`node server/main.ts`, bubblewrap labs), as it does in production.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { clientAddress, clientKey, trustedProxies } from '../../server/client-address.ts';
import { scrub } from '../../server/log.ts';
import { createLab, deleteLab, TermClient, terminalTicket, terminalUrl } from '../support/lab-client.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('client address behind reverse proxies', () => {
  const req = (remote: string, forwarded?: string) => ({ socket: { remoteAddress: remote }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;
  it('is the connection address without TRUSTED_PROXIES, whatever the headers say', () => {
    assert.equal(clientAddress(req('127.0.0.9', '127.0.0.4'), trustedProxies([])), '127.0.0.9');
  });
  it('is the address the trusted proxy saw, never what the client wrote before it', () => {
    const one = trustedProxies(['127.0.0.1']);
    assert.equal(clientAddress(req('127.0.0.1', '203.0.113.7'), one), '203.0.113.7');
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.66, 203.0.113.7'), one), '203.0.113.7');
    assert.equal(clientAddress(req('127.0.0.1', '198.51.100.66, 203.0.113.7, 127.0.0.2'), trustedProxies(['127.0.0.0/8'])), '203.0.113.7');
    assert.equal(clientAddress(req('127.0.0.1', '127.0.0.3'), trustedProxies(['127.0.0.0/8'])), '127.0.0.3', 'every hop a proxy: the first');
    assert.equal(clientAddress(req('127.0.0.1'), one), '127.0.0.1', 'no header: the connection');
  });
});

describe('client key for the per-client lab cap', () => {
  it('is an IPv4 address as it is, and an IPv4-mapped IPv6 address as its IPv4 address', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  });
  it('is the /64 of an IPv6 address, however it is written', () => {
    assert.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  });
});

describe('log scrubbing', () => {
  it('takes tokens out of URLs and Authorization values', () => {
    assert.equal(scrub('GET /api/labs/ab/terminals/x?token=s3cr3t&resume=4'), 'GET /api/labs/ab/terminals/x?token=[Redacted]&resume=4');
    assert.equal(scrub('GET /api/labs/ab/terminals/x?ticket=s3cr3t&resume=4'), 'GET /api/labs/ab/terminals/x?ticket=[Redacted]&resume=4');
    assert.equal(scrub('Authorization: Bearer abc.DEF-123_x'), 'Authorization: Bearer [Redacted]');
  });
});

const bwrap = spawnSync('bwrap', ['--version'], { stdio: 'ignore' }).status === 0;
const noSandbox = !bwrap ? 'bubblewrap is not installed' : process.getuid?.() !== 0 ? 'the lab server needs root' : null;

describe('the server as a program', { skip: noSandbox && !process.env.CI ? noSandbox : false }, () => {
  let child: ChildProcessWithoutNullStreams;
  let out = '';
  let base = '';
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          assert.fail(`a log line that is not JSON: ${line}`);
        }
      });
  const tokens: string[] = [];

  before(async () => {
    if (noSandbox) return;
    child = spawn(process.execPath, ['server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SANDBOX_DRIVER: 'bwrap',
        SANDBOX_INSTANCE: `ops-${process.pid}`,
        STATE_DIR: mkdtempSync(join(tmpdir(), 'sl-ops-')),
        LAB_WARM_POOL: '0',
        MAX_LABS_PER_CLIENT: '1',
        TRUSTED_PROXIES: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    base = await new Promise<string>((resolveBase, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const port = /"port":(\d+)/.exec(out)?.[1];
        if (port) {
          clearTimeout(timer);
          resolveBase(`http://127.0.0.1:${port}`);
        }
      });
    });
  });

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('runs where CI runs it', () => {
    if (noSandbox) assert.fail(`CI must run this test, but ${noSandbox}.`);
  });

  it('tells learners behind a proxy apart by X-Forwarded-For (TRUSTED_PROXIES=127.0.0.1, MAX_LABS_PER_CLIENT=1)', { skip: noSandbox ?? false }, async () => {
    const post = (forwarded: string) => fetch(`${base}/api/labs`, { method: 'POST', headers: { 'X-Forwarded-For': forwarded } });
    const first = await post('198.51.100.1');
    assert.equal(first.status, 201);
    const lab = (await first.json()) as { labId: string; token: string };
    tokens.push(lab.token);
    assert.equal((await post('198.51.100.1')).status, 429, 'the same learner is held to one lab');
    const other = await post('forged-by-client, 198.51.100.2');
    assert.equal(other.status, 201, 'another learner behind the same proxy gets a lab');
    const otherLab = (await other.json()) as { labId: string; token: string };
    tokens.push(otherLab.token);
    assert.equal(await deleteLab(base, lab), 204);
    assert.equal(await deleteLab(base, otherLab), 204);
  });

  it('counts an IPv6 client per /64, so one network cannot take every lab slot', { skip: noSandbox ?? false }, async () => {
    const post = (forwarded: string) => fetch(`${base}/api/labs`, { method: 'POST', headers: { 'X-Forwarded-For': forwarded } });
    const first = await post('2001:db8:7:7::1');
    assert.equal(first.status, 201);
    const lab = (await first.json()) as { labId: string; token: string };
    tokens.push(lab.token);
    assert.equal((await post('2001:db8:7:7:ffff::2')).status, 429, 'another address of the same /64 is the same client');
    const other = await post('2001:db8:7:8::1');
    assert.equal(other.status, 201, 'the next /64 is another client');
    const otherLab = (await other.json()) as { labId: string; token: string };
    tokens.push(otherLab.token);
    assert.equal(await deleteLab(base, lab), 204);
    assert.equal(await deleteLab(base, otherLab), 204);
  });

  it('logs JSON lines with the lab id and no token, and counts in /metrics', { skip: noSandbox ?? false }, async () => {
    const lab = await createLab(base);
    tokens.push(lab.token);
    const t = await TermClient.open(base, lab, 'main');
    await t.waitFor('$ ');
    await t.sh('echo hi');
    // A wrong ticket, and a frame that breaks the protocol: both refused, both logged and counted.
    const refused = new WebSocket(terminalUrl(base, lab.labId, 'x', `wrong-${lab.token}`));
    const status = await new Promise((r) => refused.once('unexpected-response', (_req, res: IncomingMessage) => r(res.statusCode)).once('open', () => r('open')));
    refused.on('error', () => {});
    assert.equal(status, 403);
    const bad = new WebSocket(terminalUrl(base, lab.labId, 'bad', (await terminalTicket(base, lab, 'bad')).ticket));
    await new Promise((r) => bad.once('open', r));
    bad.send('a text frame');
    await new Promise((r) => bad.once('close', r));

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string) => Number(metrics.split('\n').find((l) => l.startsWith(`${series} `))?.slice(series.length + 1));
    // The labs of the two proxy tests above (two each, one 429 each), and this test's own.
    assert.equal(value('socketlab_lab_starts_total{outcome="ok"}'), 5);
    assert.equal(value('socketlab_lab_starts_total{outcome="refused"}'), 2, 'the 429s above');
    assert.equal(value('socketlab_lab_ends_total{reason="killed"}'), 4);
    assert.equal(value('socketlab_labs_running'), 1);
    assert.equal(value('socketlab_ws_refused_total{reason="ticket"}'), 1);
    assert.equal(value('socketlab_protocol_errors_total{code="text-frame"}'), 1);
    assert.ok(value('socketlab_echo_seconds_count') >= 1);
    assert.ok(value('socketlab_terminal_input_bytes_total') > 0);
    assert.match(metrics, /^process_resident_memory_bytes /m, "Node's process metrics too");

    // SIGTERM: the attached terminal is told why, the process exits 0.
    child.kill('SIGTERM');
    await t.until(() => t.exit !== null, 'EXIT after SIGTERM', 10_000);
    assert.equal(t.exit!.reason, 'shutdown');
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    assert.equal(code, 0);

    const logged = lines();
    for (const token of tokens) assert.ok(!out.includes(token), 'a lab token is in the log');
    const about = (msg: string) => logged.filter((l) => l.msg === msg);
    assert.ok(about('lab started').length === 5 && about('lab started').every((l) => typeof l.labId === 'string'), 'every lab start names its lab');
    assert.ok(about('lab ended').some((l) => l.labId === lab.labId && l.reason === 'shutdown'));
    assert.ok(about('terminal refused').some((l) => l.labId === lab.labId && l.reason === 'ticket'));
    assert.ok(about('protocol error: closing the connection').some((l) => l.labId === lab.labId && l.code === 'text-frame'));
    assert.ok(about('stopped: every lab ended').length === 1, 'the server says it stopped');
    assert.ok(logged.every((l) => typeof l.level === 'string' && typeof l.time === 'string'));
  });
});
