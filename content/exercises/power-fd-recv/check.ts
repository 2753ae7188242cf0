/**
 * Checker of power-fd-recv: a server on the abstract Unix stream socket @{name} that receives one
 * descriptor per connection (SCM_RIGHTS, on the byte "F"), reads it to its end and answers
 * "lines <L> bytes <B>\n"; "error: no descriptor\n" when none came; "error: expected one
 * descriptor\n" when more came (or MSG_CTRUNC); then closes. It closes every descriptor it got.
 *
 * Node cannot send descriptors to a non-Node process, so the sending end is a small C program the
 * checker compiles and runs as itself. The file it passes is the checker's, mode 0600: the learner
 * cannot open it by path, so counting it right proves the descriptor was used.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fail, runChecker, show, within, type Context } from '../_lib/checker.ts';

const exec = promisify(execFile);

/**
 * `fdsend NAME MODE [ARG]` connects to @NAME and sends the byte "F" with: `file PATH`: one
 * descriptor of PATH; `none`: none; `three PATH`: three of PATH; `pieces LINES`: one end of a
 * socketpair, then writes LINES lines ("line <i>\n") into the other end in 4 pieces 150 ms apart
 * and shuts it down. It then reads the connection to its end (3 s at most) and prints
 * `reply <hex> <end|open>`, and for `pieces`, whether the server closed the descriptor it got:
 * `closed <yes|no>` (the socketpair's other end sees EOF within 1.5 s, or not).
 */
const SENDER = String.raw`#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms) { struct timespec t = {ms / 1000, ms % 1000 * 1000000}; nanosleep(&t, NULL); }

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[1]);
    memcpy(a.sun_path + 1, argv[1], len);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0) {
        printf("connect-error %s\n", strerror(errno));
        return 0;
    }
    int fds[3], count = 0, pair[2] = {-1, -1};
    if (strcmp(argv[2], "file") == 0 || strcmp(argv[2], "three") == 0) {
        for (int i = 0; i < (argv[2][0] == 'f' ? 1 : 3); i++) if ((fds[count++] = open(argv[3], O_RDONLY)) < 0) return 3;
    } else if (strcmp(argv[2], "pieces") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) return 3;
        fds[count++] = pair[1];
    }
    union { char b[CMSG_SPACE(3 * sizeof(int))]; struct cmsghdr align; } ctl;
    char byte = 'F';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (count > 0) {
        m.msg_control = ctl.b;
        m.msg_controllen = CMSG_SPACE(count * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(count * sizeof(int));
        memcpy(CMSG_DATA(c), fds, count * sizeof(int));
    }
    if (sendmsg(s, &m, MSG_NOSIGNAL) < 0) { printf("send-error %s\n", strerror(errno)); return 0; }
    for (int i = 0; i < count; i++) close(fds[i]); /* the server's copies are the only ones left */
    if (pair[0] >= 0) {
        int lines = atoi(argv[3]), per = (lines + 3) / 4;
        char text[64];
        for (int i = 0; i < lines; i++) {
            int n = snprintf(text, sizeof text, "line %d\n", i);
            if (send(pair[0], text, (size_t)n, MSG_NOSIGNAL) != n) break; /* EPIPE: the server closed it early */
            if ((i + 1) % per == 0 && i + 1 < lines) pause_ms(150);
        }
        shutdown(pair[0], SHUT_WR);
    }
    unsigned char reply[512];
    size_t got = 0;
    int ended = 0;
    for (long waited = 0; waited < 3000 && !ended;) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 100) == 0) { waited += 100; continue; }
        ssize_t n = recv(s, reply + got, sizeof reply - got, 0);
        if (n <= 0 || got + (size_t)n == sizeof reply) ended = 1;
        if (n > 0) got += (size_t)n;
    }
    printf("reply ");
    for (size_t i = 0; i < got; i++) printf("%02x", reply[i]);
    printf(" %s\n", ended ? "end" : "open");
    if (pair[0] >= 0) {
        /* When the server has closed its end too, nobody holds pair[1]: we read EOF. */
        char drain[256];
        int closed = 0;
        for (long waited = 0; waited < 1500 && !closed;) {
            struct pollfd p = {.fd = pair[0], .events = POLLIN};
            if (poll(&p, 1, 100) == 0) { waited += 100; continue; }
            closed = recv(pair[0], drain, sizeof drain, 0) <= 0;
        }
        printf("closed %s\n", closed ? "yes" : "no");
    }
    return 0;
}
`;

interface Setup {
  sender: string;
  file: string;
  lines: number;
  bytes: number;
}

let setup: Promise<Setup> | null = null;

/** Builds the sender and writes the checker's own file (mode 0600), proving the learner cannot open it. */
function prepare(t: Context): Promise<Setup> {
  setup ??= (async () => {
    const source = join(t.scratch, 'fdsend.c');
    const sender = join(t.scratch, 'fdsend');
    writeFileSync(source, SENDER);
    await exec('gcc', ['-std=gnu17', '-O2', '-o', sender, source], { timeout: 20_000 });
    // Random lines of 0 to 99 characters: no fixed size, so only a real count gets them right.
    const text = Array.from({ length: 2000 }, () => randomBytes(50).toString('hex').slice(0, randomBytes(1)[0]! % 100)).join('\n') + '\n';
    const file = join(t.scratch, 'secret.txt');
    writeFileSync(file, text, { mode: 0o600 });
    const probe = t.start({ command: `cat ${file}` });
    await within(probe.exited, 3000, 'the learner-side probe took too long');
    if (probe.exitCode === 0) throw new Error(`the learner can open ${file}, so passing it proves nothing (this is the checker's fault)`);
    return { sender, file, lines: 2000, bytes: Buffer.byteLength(text) };
  })();
  return setup;
}

interface Sent {
  reply: string;
  ended: boolean;
  /** For `pieces`: whether the server closed the descriptor it received. */
  closed: boolean | null;
  error: string | null;
}

async function sendTo(t: Context, mode: string, arg: string | null): Promise<Sent> {
  const { sender } = await prepare(t);
  const { stdout } = await exec(sender, [t.addr.name, mode, ...(arg === null ? [] : [arg])], { timeout: 8000 });
  const error = /^(connect-error|send-error) (.*)$/m.exec(stdout);
  const reply = /^reply (\S*) (end|open)$/m.exec(stdout);
  const closed = /^closed (yes|no)$/m.exec(stdout);
  return {
    reply: reply ? Buffer.from(reply[1]!, 'hex').toString('utf8') : '',
    ended: reply?.[2] === 'end',
    closed: closed ? closed[1] === 'yes' : null,
    error: error ? `${error[1]}: ${error[2]}` : null,
  };
}

/** The reply, in words. */
function describe(r: Sent): string {
  if (r.error) return r.error;
  const reply = r.reply ? show(r.reply) : 'no reply';
  return `${reply}${r.ended ? ', then the end of the connection' : ', and the connection stayed open'}`;
}

const RECVMSG_HINT = 'Receive with recvmsg() (Go: ReadMsgUnix) and a control buffer, and take the descriptor from the SCM_RIGHTS control message (CMSG_FIRSTHDR, CMSG_DATA; Go: syscall.ParseSocketControlMessage and ParseUnixRights). A plain read() or recv() drops the control message, and the kernel closes the descriptor.';

function expectReply(r: Sent, sent: string, expected: string, want: string, hint: string) {
  if (r.reply !== want || !r.ended) fail(sent, expected, describe(r), r.error?.startsWith('connect') ? 'Listen on the abstract name @NAME with a SOCK_STREAM socket.' : hint);
}

await runChecker({
  readiness: (a) => ({ abstract: a.name }),
  notReadyHint: 'Listen on the abstract name @NAME (sun_path[0] = 0 and the exact address length in C; "@" + NAME in Go) and print "listening on @NAME".',
  checks: [
    {
      id: 'file',
      title: 'Counts a file it cannot open by path, from the descriptor it receives',
      timeoutMs: 25_000,
      run: async (t) => {
        const { file, lines, bytes } = await prepare(t);
        await t.server();
        const r = await sendTo(t, 'file', file);
        const sent = `the byte "F" with a descriptor of ${file} (the checker's file, mode 0600: you cannot open it)`;
        const want = `lines ${lines} bytes ${bytes}\n`;
        const expected = `${show(want)}, then the end of the connection`;
        const hint = r.reply.startsWith('error: no descriptor') ? RECVMSG_HINT
          : /^lines \d+ bytes \d+\n$/.test(r.reply) ? 'The counts are wrong: read the descriptor until read() returns 0 (Go: io.EOF), counting every byte and every "\\n".'
          : RECVMSG_HINT;
        expectReply(r, sent, expected, want, hint);
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'pieces',
      title: 'Reads a descriptor whose data arrives in pieces to its very end',
      run: async (t) => {
        await t.server();
        const r = await sendTo(t, 'pieces', '400');
        const text = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');
        const want = `lines 400 bytes ${Buffer.byteLength(text)}\n`;
        const sent = 'the byte "F" with one end of a socketpair, then 400 lines into the other end in 4 pieces, 150 ms apart, then its end';
        const expected = `${show(want)}, then the end of the connection`;
        expectReply(r, sent, expected, want, 'A descriptor may be a pipe or a socket, whose data comes in pieces: one read() returns what has arrived so far. Loop until read() returns 0 (Go: io.EOF).');
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'no-descriptor',
      title: 'Answers a message without a descriptor with "error: no descriptor"',
      run: async (t) => {
        await t.server();
        const r = await sendTo(t, 'none', null);
        const sent = 'the byte "F" alone, with no control message';
        const want = 'error: no descriptor\n';
        const expected = `${show(want)}, then the end of the connection`;
        expectReply(r, sent, expected, want, 'Look at what arrived before you use it: when no SCM_RIGHTS control message came (CMSG_FIRSTHDR returns NULL; Go: ParseUnixRights finds none), there is no descriptor, and reading an uninitialised int reads some other file (or crashes).');
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'several',
      title: 'Answers three descriptors with "error: expected one descriptor"',
      run: async (t) => {
        const { file } = await prepare(t);
        await t.server();
        const r = await sendTo(t, 'three', file);
        const sent = 'the byte "F" with three descriptors in one SCM_RIGHTS message';
        const want = 'error: expected one descriptor\n';
        const expected = `${show(want)}, then the end of the connection`;
        expectReply(r, sent, expected, want, 'Count the descriptors that arrived from cmsg_len ((cmsg_len - CMSG_LEN(0)) / sizeof(int)), and look at MSG_CTRUNC in msg_flags: when your control buffer is too small the kernel keeps what fits, closes the rest and sets it. More than one is an error; close them all.');
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'closes',
      title: 'Closes the descriptor it received once it has answered',
      run: async (t) => {
        await t.server();
        const r = await sendTo(t, 'pieces', '10');
        const sent = 'the byte "F" with one end of a socketpair (the checker closed its own copy), 10 lines into the other end, then its end';
        const expected = 'the answer, then the socketpair\'s other end reads EOF: nobody holds the passed end any more';
        if (r.error || !r.reply.startsWith('lines ')) fail(sent, expected, describe(r), RECVMSG_HINT);
        if (r.closed !== true) fail(sent, expected, `${describe(r)}; but the passed end is still open 1.5 s later`, 'Every descriptor you receive is a new one in your process: close it when you are done (C: close(); Go: the *os.File\'s Close, or syscall.Close). A server that forgets leaks one per connection until accept() fails with EMFILE.');
        return { sent, expected, got: `${describe(r)}; the passed end was closed` };
      },
    },
  ],
});
