/**
 * Output flow through the bridge: floods stay bounded and interruptible, nothing printed before an
 * exit is lost, reconnects replay with no gap and no duplicate, and UTF-8 survives frame splits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: TestServer;
  let lab: LabTicket;
  const terms: TermClient[] = [];
  const open = async (termId: string, options = {}) => {
    const t = await TermClient.open(server.base, lab, termId, options);
    terms.push(t);
    return t;
  };

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver });
    lab = await createLab(server.base);
  });
  after(async () => {
    for (const t of terms) t.close();
    await deleteLab(server.base, lab);
    await server.stop();
  });

  describe('flow control', () => {
    it('`yes` then Ctrl-C gives the prompt back within 1 s, and server memory stays bounded', async () => {
      const t = await open('flood', { keep: 64 * 1024 });
      await t.waitFor('$ ');
      t.type('yes\r');
      // Bounded means flat: memory after 40 MiB of output is about what it was after 10 MiB.
      await t.until(() => t.received > 10 * 1024 * 1024, '10 MiB of yes', 30_000);
      const rssEarly = process.memoryUsage().rss;
      await t.until(() => t.received > 40 * 1024 * 1024, '40 MiB of yes', 60_000);
      const rssLate = process.memoryUsage().rss;
      const from = t.mark;
      const t0 = performance.now();
      t.type('\x03');
      await t.waitFor('$ ', 1000, from);
      const elapsed = performance.now() - t0;
      assert.ok(elapsed < 1000, `prompt came back after ${elapsed.toFixed(0)} ms`);
      assert.ok(rssLate - rssEarly < 32 * 1024 * 1024, `server+test RSS grew by ${((rssLate - rssEarly) / 1048576).toFixed(0)} MiB over 30 MiB of flood`);
    });

    it('a client that never ACKs pauses the program instead of growing memory', async () => {
      const t = await open('stalled', { ack: false });
      await t.waitFor('$ ');
      t.type('yes\r');
      await new Promise((r) => setTimeout(r, 1500));
      const received = t.received;
      await new Promise((r) => setTimeout(r, 1000));
      // Paused above the high watermark: at most a watermark plus a few chunks ever left the server.
      assert.ok(received < 2 * 1024 * 1024, `a non-acking client was sent ${received} bytes`);
      assert.ok(t.received - received < 256 * 1024, 'output kept flowing to a client that does not ACK');
      t.close();
    });

    it('64 KiB printed right before exit arrives whole, 100 times out of 100', async () => {
      for (let i = 0; i < 100; i++) {
        const t = await open(`tail-${i}`);
        await t.waitFor('$ ');
        t.type("head -c 65536 /dev/zero | tr '\\0' Z; exit\r");
        await t.until(() => t.exit !== null, `EXIT of run ${i}`);
        const longest = Math.max(...t.text.split(/[^Z]+/).map((run) => run.length));
        assert.equal(longest, 65536, `run ${i}: got a run of ${longest} Z, expected 65536 before EXIT`);
        assert.equal(t.exit!.reason, 'exit');
        t.close();
      }
    });

    it('a multi-byte UTF-8 character split across OUTPUT frames decodes correctly', async () => {
      const t = await open('utf8');
      await t.waitFor('$ ');
      const frames: Buffer[] = [];
      t.ws.on('message', (data: Buffer) => {
        if (data[0] === 0x80) frames.push(data.subarray(1));
      });
      // Three runs shifted by one byte each, so whatever size the driver's reads have, some frame
      // boundary falls inside a 3-byte character.
      t.type("python3 -c \"import sys; [sys.stdout.write(p + '€' * 200000 + '\\n') or sys.stdout.flush() for p in ('', 'x', 'xx')]; print('END')\"\r");
      await t.waitFor('END\r\n', 20_000);
      // Decode as a browser does: one streaming decoder over all frames.
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const text = frames.map((f) => decoder.decode(f, { stream: true })).join('') + decoder.decode();
      for (const run of ['\r', 'x', 'xx'].map((prefix) => `${prefix}${'€'.repeat(200000)}\r\n`)) {
        assert.ok(text.includes(run), `a run of 200000 € is missing or damaged; the output ends ${JSON.stringify(text.slice(-100))}`);
      }
      const split = frames.some((f, i) => i > 0 && (f[0]! & 0xc0) === 0x80);
      assert.ok(split, 'the test should have produced at least one frame starting mid-character');
    });
  });

  describe('reconnect', () => {
    it('reattaches to the same shell and replays what it missed, no gap and no duplicate', async () => {
      const first = await open('resume');
      await first.waitFor('$ ');
      first.type('for i in $(seq 1 3000); do echo line-$i; done; sleep 1; for i in $(seq 3001 6000); do echo line-$i; done\r');
      await first.waitFor('line-1500');
      const offset = first.ready!.offset + first.received;
      first.ws.terminate(); // the network drops mid-output
      const second = await open('resume', { resume: offset });
      await second.opened();
      assert.equal(second.ready!.offset, offset);
      assert.equal(second.ready!.reattached, true);
      await second.waitFor('line-6000');
      const all = first.text + second.text;
      for (let i = 1; i <= 6000; i++) {
        const matches = all.split(`line-${i}\r\n`).length - 1;
        assert.equal(matches, 1, `line-${i} appears ${matches} times`);
      }
    });
  });
});
