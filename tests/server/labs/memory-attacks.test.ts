/**
 * A hostile anonymous client against the server's memory, through the public protocol: the server
 * runs as its own process (its VmRSS is its own, not the test's clients'), and four attacks, each in
 * a lab of its own, run at once for ATTACK_MS while another lab's terminal keeps answering:
 *
 * - fake ACKs: `yes`, with ACKs for everything sent and a socket that is never read;
 * - an INPUT flood at `sleep 1e9` (nothing reads the terminal);
 * - a new terminal name opened and `exit`ed, over and over;
 * - archive downloads asked for again and again and never read.
 *
 * The attacks run together so each driver costs ATTACK_MS once, not four times: what is measured
 * (the server's memory, another lab's echo) is the server's whole, and any one attack that grows
 * memory without bound breaks the bound on its own. An attack that breaks it is stopped at once,
 * so a regression fails fast instead of eating the machine.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { encode } from '../../../wire/protocol.ts';
import { createLab, TermClient, terminalTicket, terminalUrl } from '../../support/lab-client.ts';
import { testDrivers } from '../../support/drivers.ts';
import { startServerProcess, type ServerProcess } from '../../support/server-process.ts';

/** Long enough for a leak of even a few MiB/s to stand out; the four share it. */
const ATTACK_MS = 30_000;
const MiB = 1024 * 1024;
/**
 * The server's RSS may grow at most this much over its start (labs open, before the attacks).
 * Measured on both drivers: a peak of 67 to 104 MiB with the caps in place (one archive of
 * ARCHIVE_FILE_MB held and built, a terminal's buffers per attack); without them the fake ACKs and
 * the input flood together passed this bound within 5 s (+190 to +220 MiB when stopped).
 */
const RSS_GROWTH_LIMIT = 150 * MiB;
/** Another lab's `echo` while the attacks run: 95 of 100 answered within this. */
const ECHO_P95_LIMIT_MS = 250;
/** Incompressible, so each archive is held in memory about this big. */
const ARCHIVE_FILE_MB = 20;
/** The largest WebSocket message the server takes (WS_MAX_PAYLOAD_KB's default), opcode included. */
const WS_MAX_PAYLOAD = 64 * 1024;

interface Attack {
  stop: () => void;
  /** Resolves when its connection has closed. */
  done: Promise<void>;
  /** Set when the server closed the connection (the attack then never really ran). */
  refused: () => string | null;
}

/** A connection the attack itself ends; a close it did not ask for is recorded. */
async function attackSocket(base: string, lab: LabTicket, termId: string, onStop: () => void): Promise<{ ws: WebSocket } & Attack> {
  const { ticket } = await terminalTicket(base, lab, termId);
  const ws = new WebSocket(terminalUrl(base, lab.labId, termId, ticket));
  let stopped = false;
  let refused: string | null = null;
  ws.on('error', () => {});
  const done = new Promise<void>((resolve) =>
    ws.on('close', (code, reason) => {
      if (!stopped) refused = `${termId} closed by the server: ${code} ${reason.toString()}`;
      onStop();
      resolve();
    }),
  );
  const stop = () => {
    stopped = true;
    ws.terminate();
  };
  return { ws, stop, done, refused: () => refused };
}

/** Runs `yes` (long lines: output as fast as a PTY goes) and ACKs everything, but never reads its socket. */
async function fakeAcks(base: string, lab: LabTicket, until: number): Promise<Attack> {
  let timer: NodeJS.Timeout | undefined;
  const attack = await attackSocket(base, lab, 'fake-acks', () => clearInterval(timer));
  attack.ws.on('open', () => {
    attack.ws.pause();
    attack.ws.send(encode.input(`yes "$(printf '%0999d' 0)"\r`));
    timer = setInterval(() => (Date.now() < until ? attack.ws.send(encode.ack(Number.MAX_SAFE_INTEGER)) : attack.stop()), 10);
  });
  return attack;
}

/** Streams INPUT frames as large as allowed, in lines (so the TTY fills rather than discards), at `sleep 1e9`. */
async function inputFlood(base: string, lab: LabTicket, until: number): Promise<Attack & { sent: () => number }> {
  const frame = encode.input(`${'a'.repeat(63)}\r`.repeat(1024).slice(0, WS_MAX_PAYLOAD - 1));
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const attack = await attackSocket(base, lab, 'input-flood', () => clearTimeout(timer));
  attack.ws.on('open', () => {
    attack.ws.send(encode.input('sleep 1e9\r'));
    // Only what the server takes is sent: the test's own memory must not be what grows.
    const pump = () => {
      if (Date.now() >= until) return attack.stop();
      while (attack.ws.bufferedAmount < 4 * MiB) {
        attack.ws.send(frame);
        sent += frame.length;
      }
      timer = setTimeout(pump, 5);
    };
    timer = setTimeout(pump, 1000); // once `sleep` runs, nothing reads the terminal
  });
  return { ...attack, sent: () => sent };
}

/** Opens a terminal under a new name, types `exit`, and again, until `until`. Returns how many. */
async function terminalChurn(base: string, lab: LabTicket, until: number, stopped: () => boolean): Promise<number> {
  let opened = 0;
  while (Date.now() < until && !stopped()) {
    const t = await TermClient.open(base, lab, `churn-${opened++}`);
    await t.opened();
    t.type('exit\r');
    await t.until(() => t.closed, 'the close after exit');
  }
  return opened;
}

/** Asks for the archive over and over on sockets that never read the answer. Returns how many asked. */
async function unreadArchives(base: string, lab: LabTicket, until: number, stopped: () => boolean): Promise<number> {
  const { port } = new URL(base);
  const sockets: Socket[] = [];
  while (Date.now() < until && !stopped()) {
    for (let i = 0; i < 10; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`GET /api/labs/${lab.labId}/archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${lab.token}\r\n\r\n`);
      socket.pause();
      sockets.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  for (const socket of sockets) socket.destroy();
  return sockets.length;
}

/** Types `echo` every 100 ms until `until`; resolves with each answer's time in ms. */
async function echoTimes(t: TermClient, until: number): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; Date.now() < until; n++) {
    const from = t.mark;
    const start = performance.now();
    t.type(`echo e""cho-${n}\r`);
    await t.waitFor(`echo-${n}`, 10_000, from);
    times.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return times;
}

for (const driver of testDrivers()) describe(`on ${driver}`, () => {
  let server: ServerProcess;
  before(async () => {
    // Half a core per lab, as in a class: the attacks' shells cannot take the server's CPU.
    server = await startServerProcess({ SANDBOX_DRIVER: driver, LAB_CPUS: '0.5', LAB_TMP_MB: '64' });
  });
  after(async () => {
    await server.stop();
  });

  it(`holds its memory and another lab's echo under four attacks at once for ${ATTACK_MS / 1000} s`, async () => {
    const [echoLab, ackLab, floodLab, churnLab, archiveLab] = await Promise.all(Array.from({ length: 5 }, () => createLab(server.base)));
    const echo = await TermClient.open(server.base, echoLab, 'echo');
    const filler = await TermClient.open(server.base, archiveLab, 'filler');
    await Promise.all([echo.opened(), filler.opened()]);
    await filler.sh(`head -c ${ARCHIVE_FILE_MB * MiB} /dev/urandom > big.bin`);
    await echo.sh('true');
    const startRss = server.rssBytes();

    const until = Date.now() + ATTACK_MS;
    let peakRss = startRss;
    let broken = false;
    const acks = await fakeAcks(server.base, ackLab, until);
    const flood = await inputFlood(server.base, floodLab, until);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, server.rssBytes());
      if (peakRss - startRss > RSS_GROWTH_LIMIT && !broken) {
        broken = true;
        acks.stop();
        flood.stop();
      }
    }, 100);
    const stopped = () => broken;
    try {
      const [churned, archivesAsked, times] = await Promise.all([
        terminalChurn(server.base, churnLab, until, stopped),
        unreadArchives(server.base, archiveLab, until, stopped),
        echoTimes(echo, until),
        acks.done,
        flood.done,
      ]);
      const growth = (peakRss - startRss) / MiB;
      times.sort((a, b) => a - b);
      const p95 = times[Math.floor(times.length * 0.95)]!;
      const summary = `RSS ${(startRss / MiB).toFixed(0)} MiB at start, peak +${growth.toFixed(0)} MiB; echo p95 ${p95.toFixed(0)} ms over ${times.length}; ${(flood.sent() / MiB).toFixed(0)} MiB of input sent, ${churned} terminals opened and exited, ${archivesAsked} archives asked for`;
      console.log(`${driver}: ${summary}`);
      for (const attack of [acks, flood]) assert.equal(attack.refused(), null, 'an attack did not run its course');
      assert.ok(!broken && growth * MiB <= RSS_GROWTH_LIMIT, `the server's memory grew more than ${RSS_GROWTH_LIMIT / MiB} MiB: ${summary}`);
      assert.ok(p95 <= ECHO_P95_LIMIT_MS, `another lab's echo was slow (p95 over ${ECHO_P95_LIMIT_MS} ms): ${summary}`);
      assert.ok(churned > 10, `the terminal churn stalled: ${summary}`);
    } finally {
      clearInterval(sampler);
      acks.stop();
      flood.stop();
      echo.close();
      filler.close();
    }
  });
});
