/**
 * Checker of power-seqpacket: a message echo server on the abstract SOCK_SEQPACKET socket
 * @{name}. Each message of up to 65536 bytes gets one message back, "echo: " + the message; a
 * longer one gets "error: message longer than 65536 bytes", then the server closes.
 *
 * Node has no SOCK_SEQPACKET, so the peer is a small C program the checker compiles and runs as
 * itself: it reads a script (one command a line) and prints what each receive got.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fail, runChecker, sha256, show, type Context } from '../_lib/checker.ts';

const exec = promisify(execFile);
const MAX = 65536;
const TOO_LONG = 'error: message longer than 65536 bytes';

/**
 * `seqpeer NAME` connects a SOCK_SEQPACKET socket to @NAME and runs the script on stdin:
 * `send <hex>` sends one message (empty hex: an empty message), `recv <ms>` waits that long for
 * one message and prints `msg <hex>` (`trunc` after it if it was longer than 256 KiB), `eof` or
 * `timeout`; `sleep <ms>`; `shut` is shutdown(SHUT_WR). A failed connect prints
 * `connect-error <text>` and ends the script.
 */
const PEER = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static unsigned char buf[262144];

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[1]);
    memcpy(a.sun_path + 1, argv[1], len);
    int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0) {
        printf("connect-error %s\n", strerror(errno));
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "send ", 5) == 0 || strcmp(line, "send") == 0) {
            const char *hex = line[4] ? line + 5 : "";
            size_t bytes = strlen(hex) / 2;
            for (size_t i = 0; i < bytes; i++) sscanf(hex + 2 * i, "%2hhx", &buf[i]);
            if (send(s, buf, bytes, MSG_NOSIGNAL) < 0) printf("send-error %s\n", strerror(errno));
        } else if (strncmp(line, "recv ", 5) == 0) {
            struct pollfd p = {.fd = s, .events = POLLIN};
            int r = poll(&p, 1, atoi(line + 5));
            if (r == 0) { printf("timeout\n"); continue; }
            struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
            struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
            ssize_t got = recvmsg(s, &m, 0);
            if (got < 0) { printf("recv-error %s\n", strerror(errno)); continue; }
            if (got == 0) { printf("eof\n"); continue; }
            printf("msg ");
            for (ssize_t i = 0; i < got; i++) printf("%02x", buf[i]);
            printf("%s\n", (m.msg_flags & MSG_TRUNC) ? " trunc" : "");
        } else if (strncmp(line, "sleep ", 6) == 0) {
            long ms = atol(line + 6);
            struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
            nanosleep(&ts, NULL);
        } else if (strcmp(line, "shut") == 0) {
            shutdown(s, SHUT_WR);
        }
    }
    return 0;
}
`;

type Event = { kind: 'msg'; data: Buffer } | { kind: 'eof' | 'timeout' } | { kind: 'error'; text: string };

let peer: Promise<string> | null = null;

function buildPeer(t: Context): Promise<string> {
  peer ??= (async () => {
    const source = join(t.scratch, 'seqpeer.c');
    const binary = join(t.scratch, 'seqpeer');
    writeFileSync(source, PEER);
    await exec('gcc', ['-std=gnu17', '-O2', '-o', binary, source], { timeout: 20_000 });
    return binary;
  })();
  return peer;
}

/** One connection running `script`; what each receive (and a failed connect or send) brought. */
async function talk(t: Context, script: string[]): Promise<Event[]> {
  const binary = await buildPeer(t);
  const child = exec(binary, [t.addr.name], { timeout: 15_000, maxBuffer: 8 << 20 });
  child.child.stdin!.on('error', () => {}); // a peer that could not connect stops reading its script
  child.child.stdin!.end(`${script.join('\n')}\n`);
  const { stdout } = await child;
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line): Event => {
      if (line.startsWith('msg ')) return { kind: 'msg', data: Buffer.from(line.slice(4).split(' ')[0]!, 'hex') };
      if (line === 'eof' || line === 'timeout') return { kind: line };
      return { kind: 'error', text: line };
    });
}

const send = (data: string | Buffer) => `send ${Buffer.from(data).toString('hex')}`;

/** A message or event, in words. */
function describe(e: Event | undefined): string {
  if (!e) return 'nothing';
  if (e.kind === 'msg') return `the message ${show(e.data, 80)} (${e.data.length} bytes)`;
  if (e.kind === 'error') return e.text;
  return e.kind === 'eof' ? 'the end of the connection' : 'no message within the wait';
}

/** The socket type bound at @name, from /proc/net/unix (0001 stream, 0002 dgram, 0005 seqpacket). */
function boundType(name: string): string | null {
  const line = readFileSync('/proc/net/unix', 'utf8').split('\n').find((l) => l.trim().endsWith(` @${name}`));
  const type = line?.trim().split(/\s+/)[4];
  return type === undefined ? null : ({ '0001': 'SOCK_STREAM', '0002': 'SOCK_DGRAM', '0005': 'SOCK_SEQPACKET' }[type] ?? type);
}

/** Fails when the first event is a failed connect, naming the socket type the server bound. */
function connected(t: Context, events: Event[], sent: string, expected: string): void {
  const first = events[0];
  if (!first || first.kind !== 'error' || !first.text.startsWith('connect-error')) return;
  const type = boundType(t.addr.name);
  const hint = type && type !== 'SOCK_SEQPACKET'
    ? `Your socket is ${type}: a SOCK_SEQPACKET client cannot connect to it (EPROTOTYPE). Create it with socket(AF_UNIX, SOCK_SEQPACKET, 0) (Go: "unixpacket").`
    : 'Listen on the abstract name @NAME with a SOCK_SEQPACKET socket, and keep listening.';
  fail(sent, expected, first.text, hint);
}

const echoed = (message: Buffer) => Buffer.concat([Buffer.from('echo: '), message]);

const BOUNDARY_HINT = 'Each message gets exactly one reply message: receive once per message (one recv()/ReadMsgUnix is one whole message) and send the reply in one send()/Write. Reading into a small buffer cuts messages (MSG_TRUNC), and sending a reply in pieces makes several messages.';

await runChecker({
  readiness: (a) => ({ abstract: a.name }),
  notReadyHint: 'Listen on the abstract name @NAME (sun_path[0] = 0 and the exact address length in C; "@" + NAME in Go) and print "listening on @NAME".',
  checks: [
    {
      id: 'boundaries',
      title: 'Three messages sent back to back get three replies, one each',
      timeoutMs: 25_000,
      run: async (t) => {
        await t.server();
        const messages = ['a', 'bb', 'ccc'].map((m) => Buffer.from(m));
        const events = await talk(t, [...messages.map(send), 'recv 1500', 'recv 1500', 'recv 1500', 'recv 300']);
        const sent = '"a", "bb" and "ccc" as three messages, without waiting';
        const expected = 'three messages: "echo: a", "echo: bb", "echo: ccc", and nothing more';
        connected(t, events, sent, expected);
        const got = events.map(describe).join(', ');
        const ok = messages.every((m, i) => events[i]?.kind === 'msg' && (events[i] as { data: Buffer }).data.equals(echoed(m))) && events[3]?.kind === 'timeout';
        if (!ok) fail(sent, expected, got, BOUNDARY_HINT);
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'one-byte',
      title: 'A 1-byte message gets its reply',
      run: async (t) => {
        await t.server();
        const events = await talk(t, [send('x'), 'recv 1500']);
        const sent = 'the message "x" (1 byte)';
        const expected = 'the message "echo: x" (7 bytes)';
        connected(t, events, sent, expected);
        if (events[0]?.kind !== 'msg' || !events[0].data.equals(echoed(Buffer.from('x')))) fail(sent, expected, describe(events[0]), BOUNDARY_HINT);
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'large',
      title: 'A 60 KiB message comes back whole, as one message',
      run: async (t) => {
        await t.server();
        const message = randomBytes(60 * 1024);
        const events = await talk(t, [send(message), 'recv 2000', 'recv 300']);
        const want = echoed(message);
        const sent = `one message of ${message.length} random bytes (SHA-256 ${sha256(message)}...)`;
        const expected = `one message of ${want.length} bytes, "echo: " + the message (SHA-256 ${sha256(want)}...)`;
        connected(t, events, sent, expected);
        const first = events[0];
        const got = first?.kind === 'msg' ? `a message of ${first.data.length} bytes (SHA-256 ${sha256(first.data)}...), then ${describe(events[1])}` : describe(first);
        if (first?.kind !== 'msg' || !first.data.equals(want) || events[1]?.kind !== 'timeout') {
          const hint = first?.kind === 'msg' && first.data.length < want.length
            ? 'Part of the message is missing: your receive buffer is smaller than the message, and SOCK_SEQPACKET discards what does not fit (MSG_TRUNC). Receive into a buffer of 65536 bytes; or you sent the reply in pieces, each its own message.'
            : BOUNDARY_HINT;
          fail(sent, expected, got, hint);
        }
        return { sent, expected, got };
      },
    },
    {
      id: 'too-long',
      title: 'A message over 65536 bytes gets the error message, then the end of the connection',
      run: async (t) => {
        await t.server();
        const events = await talk(t, [send(randomBytes(MAX + 1)), 'recv 2000', 'recv 2000']);
        const sent = `one message of ${MAX + 1} bytes`;
        const expected = `the message ${show(TOO_LONG)}, then the end of the connection`;
        connected(t, events, sent, expected);
        const ok = events[0]?.kind === 'msg' && events[0].data.toString() === TOO_LONG && events[1]?.kind === 'eof';
        if (!ok) {
          fail(sent, expected, events.map(describe).join(', then '), 'A message longer than your buffer is cut without a word unless you look: check MSG_TRUNC in msg_flags after recvmsg() (Go: the flags ReadMsgUnix returns), then send the error message and close the connection.');
        }
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'concurrent',
      title: 'Answers a client while another one is connected and silent',
      timeoutMs: 8000,
      timeoutHint: 'Serve each client on its own (a thread per client in C, a goroutine in Go).',
      run: async (t) => {
        await t.server();
        const idle = talk(t, ['sleep 2500']);
        await new Promise((r) => setTimeout(r, 200));
        const events = await talk(t, [send('hi'), 'recv 1500']);
        await idle;
        const sent = 'client 1: connects and says nothing for 2.5 s; client 2: the message "hi"';
        const expected = 'client 2 gets "echo: hi" at once';
        connected(t, events, sent, expected);
        if (events[0]?.kind !== 'msg' || events[0].data.toString() !== 'echo: hi') fail(sent, expected, `client 2 got ${describe(events[0])}`, 'Serve each client on its own (a thread per client in C, a goroutine in Go): a server that waits for the first client\'s next message keeps the second waiting.');
        return { sent, expected, got: expected };
      },
    },
    {
      id: 'end',
      title: 'Closes the connection when the client has finished',
      run: async (t) => {
        await t.server();
        const events = await talk(t, [send('bye'), 'recv 1500', 'shut', 'recv 2000']);
        const sent = 'the message "bye", then shutdown(SHUT_WR)';
        const expected = '"echo: bye", then the end of the connection';
        connected(t, events, sent, expected);
        if (events[0]?.kind !== 'msg' || events[0].data.toString() !== 'echo: bye' || events[1]?.kind !== 'eof') {
          fail(sent, expected, events.map(describe).join(', then '), 'When a receive returns 0 bytes (Go: io.EOF), the client has finished: close the connection. A loop that ignores it spins or waits forever.');
        }
        return { sent, expected, got: expected };
      },
    },
  ],
});
