/**
 * Checker of uds-fd-pass: a Unix stream server on {socket} that sends each client the byte "F"
 * with an open, read-only descriptor of FILE ({socket}.secret) attached (SCM_RIGHTS), then closes.
 *
 * FILE is made by the learner (through the runner), mode 0600: the checker, another uid, cannot
 * open it, so reading the right bytes from a received descriptor proves it was passed. Node cannot
 * receive descriptors on a stream socket, so the receiving end is a small C program the checker
 * compiles and runs as itself.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fail, runChecker, sha256, show, within, type Context, type Program } from '../_lib/checker.ts';

const run = promisify(execFile);

/**
 * `fdrecv SOCKET COUNT`: connects COUNT times, one after another; reads each connection to its
 * end (2 s at most), collecting every byte and every descriptor, and prints one line per connection:
 * `data=<hex> total=<n> fds=<n> [type=<file|socket|other> access=<r|w|rw> content=<hex>] error=<text>`,
 * the content read with read() from the first descriptor, as a client would.
 */
const RECEIVER = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static void hex(const unsigned char *p, size_t n) { for (size_t i = 0; i < n; i++) printf("%02x", p[i]); }

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    for (int i = 0; i < atoi(argv[2]); i++) {
        unsigned char data[256];
        size_t kept = 0, total = 0;
        int fds = 0, first = -1;
        char err[160] = "";
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
        struct timeval tv = {.tv_sec = 2};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) snprintf(err, sizeof err, "connect: %s", strerror(errno));
        else for (;;) {
            unsigned char buf[256];
            struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
            union { char b[CMSG_SPACE(8 * sizeof(int))]; struct cmsghdr align; } ctl;
            struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
            ssize_t n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { snprintf(err, sizeof err, "%s", errno == EAGAIN ? "still open after 2 s" : strerror(errno)); break; }
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
                for (size_t j = 0; j < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); j++, fds++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof fd);
                    if (first < 0) first = fd; else close(fd);
                }
            }
            if (n == 0) break;
            for (ssize_t j = 0; j < n; j++, total++) if (kept < sizeof data) data[kept++] = buf[j];
        }
        printf("data=");
        hex(data, kept);
        printf(" total=%zu fds=%d", total, fds);
        if (first >= 0) {
            struct stat st;
            fstat(first, &st);
            int mode = fcntl(first, F_GETFL) & O_ACCMODE;
            printf(" type=%s access=%s content=", S_ISREG(st.st_mode) ? "file" : S_ISSOCK(st.st_mode) ? "socket" : "other", mode == O_RDONLY ? "r" : mode == O_WRONLY ? "w" : "rw");
            if (S_ISREG(st.st_mode)) {
                unsigned char chunk[4096];
                ssize_t n;
                size_t got = 0;
                while (got < (1 << 20) && (n = read(first, chunk, sizeof chunk)) > 0) { hex(chunk, (size_t)n); got += (size_t)n; }
            }
            close(first);
        }
        printf(" error=%s\n", err);
        close(s);
    }
    return 0;
}
`;

interface Received {
  data: Buffer;
  /** Bytes received in all (data holds the first 256). */
  total: number;
  fds: number;
  type: string | null;
  access: string | null;
  content: Buffer | null;
  error: string;
}

interface Setup {
  file: string;
  secret: Buffer;
  receiver: string;
}

let setup: Promise<Setup> | null = null;

/** Has the learner make FILE (random bytes, mode 0600), proves the checker cannot open it, builds the receiver. */
function prepare(t: Context): Promise<Setup> {
  setup ??= (async () => {
    const file = `${t.addr.socket}.secret`;
    const secret = randomBytes(16384);
    const maker = t.start({ command: `sh -c 'umask 077 && cat > ${file}'`, stdin: true });
    maker.write(secret);
    maker.endInput();
    await within(maker.exited, 3000, 'making the secret file took too long');
    let readable = true;
    try {
      openSync(file, 'r');
    } catch {
      readable = false;
    }
    if (readable) throw new Error(`the checker can open ${file} itself, so passing it proves nothing (this is the checker's fault)`);
    const source = join(t.scratch, 'fdrecv.c');
    const receiver = join(t.scratch, 'fdrecv');
    writeFileSync(source, RECEIVER);
    await run('gcc', ['-std=gnu17', '-O2', '-o', receiver, source], { timeout: 20_000 });
    return { file, secret, receiver };
  })();
  return setup;
}

async function receive(t: Context, count: number): Promise<Received[]> {
  const { receiver } = await prepare(t);
  const { stdout } = await run(receiver, [t.addr.socket, String(count)], { timeout: count * 2500 + 1000, maxBuffer: 8 << 20 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const m = /^data=(\S*) total=(\d+) fds=(\d+)(?: type=(\S+) access=(\S+) content=(\S*))? error=(.*)$/.exec(line);
      if (!m) throw new Error(`the checker's receiver printed ${show(line)}`);
      return { data: Buffer.from(m[1]!, 'hex'), total: Number(m[2]), fds: Number(m[3]), type: m[4] ?? null, access: m[5] ?? null, content: m[6] !== undefined ? Buffer.from(m[6], 'hex') : null, error: m[7]! };
    });
}

/** What one connection brought, in words. */
function describe(r: Received): string {
  const bytes = r.total === 0 ? 'no byte' : `${r.total} byte${r.total === 1 ? '' : 's'} ${show(r.data)}`;
  const fds = r.fds === 0 ? 'no descriptor' : `${r.fds} descriptor${r.fds === 1 ? '' : 's'}${r.type ? ` (the first: ${r.type === 'file' ? 'a regular file' : `a ${r.type}`}, ${r.access === 'r' ? 'read-only' : `open for ${r.access}`}${r.content ? `, ${r.content.length} bytes read from it` : ''})` : ''}`;
  const end = r.error ? `; the connection: ${r.error}` : ', then the connection closed';
  return `${bytes} and ${fds}${end}`;
}


/** Fails with the hint that names why no descriptor arrived. */
function noDescriptor(r: Received, server: Program, setupFile: string, sent: string, expected: string): never {
  const text = r.data.toString('utf8');
  if (text.includes(setupFile) || text.includes('/')) fail(sent, expected, describe(r), 'You sent the path: the client cannot open it (the file is 0600 and not its own: EACCES). Open the file yourself and send the open descriptor in an SCM_RIGHTS control message with sendmsg().');
  if (/bad file descriptor|closed file/i.test(server.output)) fail(sent, expected, `${describe(r)}; your server printed ${show(server.output.trim().slice(-200))}`, 'sendmsg() failed with EBADF: the descriptor was closed before it was sent. Close your copy only after sendmsg() returns.');
  if (r.total === 0) fail(sent, expected, describe(r), 'Nothing arrived. A control message travels with data: send at least one byte (the "F") in the same sendmsg(); on a stream socket a sendmsg() of zero bytes sends nothing, descriptor included. (And check what sendmsg() returns: print its error.)');
  fail(sent, expected, describe(r), 'The byte arrived without a descriptor, so no control message went with it: point msg_control at a buffer of CMSG_SPACE(sizeof(int)) bytes, set msg_controllen to its size, and fill the header from CMSG_FIRSTHDR (SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int))).');
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the path given as the first argument (the second is the file to pass). The checker connects as another user of your group: leave the socket file group-writable (chmod 0660 after bind()).',
  checks: [
    {
      id: 'descriptor',
      title: 'Sends a descriptor with the byte "F"',
      timeoutMs: 25_000,
      run: async (t) => {
        const { file } = await prepare(t);
        const server = await t.server();
        const r = (await receive(t, 1))[0]!;
        const sent = `connected as a user who cannot open ${file} (open() fails with EACCES)`;
        const expected = 'the byte "F" with one descriptor attached (SCM_RIGHTS)';
        if (r.fds === 0) noDescriptor(r, server, file, sent, expected);
        if (r.data[0] !== 0x46) fail(sent, expected, describe(r), 'The descriptor arrived, but the byte that carried it should be "F".');
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'exactly-one',
      title: 'Sends exactly one byte and one descriptor, then closes',
      run: async (t) => {
        const { file } = await prepare(t);
        const server = await t.server();
        const r = (await receive(t, 1))[0]!;
        const sent = 'connected and read to the end of the stream';
        const expected = '1 byte "F" and 1 descriptor, then the connection closed';
        if (r.fds === 0) noDescriptor(r, server, file, sent, expected);
        if (r.fds > 1) fail(sent, expected, describe(r), `${r.fds} descriptors arrived where you sent one: cmsg_len must be CMSG_LEN(sizeof(int)), the header and one int. With CMSG_SPACE(sizeof(int)), which also counts the padding, the kernel reads the padding as a second descriptor (and sends your descriptor 0 when it is zero). CMSG_SPACE is for the buffer's size and msg_controllen.`);
        if (r.error) fail(sent, expected, describe(r), 'Close the connection once the descriptor is sent: the client reads until the end of the stream.');
        if (r.total !== 1) fail(sent, expected, describe(r), 'Send exactly one byte, "F", and nothing else: the descriptor rides on it.');
        return { sent, expected, got: describe(r) };
      },
    },
    {
      id: 'file-content',
      title: 'The descriptor reads the file, and only reads',
      run: async (t) => {
        const { file, secret } = await prepare(t);
        const server = await t.server();
        const r = (await receive(t, 1))[0]!;
        const sent = `read the received descriptor to its end (${file} holds ${secret.length} random bytes, SHA-256 ${sha256(secret)}...)`;
        const expected = `a regular file, open read-only, giving all ${secret.length} bytes (SHA-256 ${sha256(secret)}...)`;
        if (r.fds === 0) noDescriptor(r, server, file, sent, expected);
        if (r.type !== 'file') fail(sent, expected, describe(r), `The descriptor you sent is a ${r.type}, not the file: send the descriptor open() returned for FILE.`);
        if (r.access !== 'r') fail(sent, expected, describe(r), 'Open FILE read-only (O_RDONLY; Go: os.Open): a descriptor carries its access mode, and the client only needs to read.');
        if (!r.content!.equals(secret)) fail(sent, expected, `${r.content!.length} bytes, SHA-256 ${sha256(r.content!)}...`, r.content!.length === 0 ? 'The descriptor read nothing: its file offset was already at the end. A passed descriptor shares its offset with every copy: open FILE afresh for each client, and do not read from it before sending.' : 'The descriptor gave other bytes than FILE holds: send a descriptor of FILE itself, the path given as the second argument.');
        return { sent, expected, got: `${r.content!.length} bytes, SHA-256 ${sha256(r.content!)}...` };
      },
    },
    {
      id: 'each-client',
      title: 'Three clients in turn each read the whole file',
      timeoutMs: 12_000,
      run: async (t) => {
        const { file, secret } = await prepare(t);
        // A server of its own: the earlier checks have read the file through its descriptors.
        await t.stopServer();
        rmSync(t.addr.socket, { force: true });
        const server = t.start();
        await t.ready(server);
        const all = await receive(t, 3);
        const sent = 'three clients, one after another, each reading its descriptor to the end';
        const expected = `each one: all ${secret.length} bytes of the file`;
        const got = all.map((r, i) => `client ${i + 1}: ${r.content ? `${r.content.length} bytes` : describe(r)}`).join('; ');
        for (const r of all) if (r.fds === 0) noDescriptor(r, server, file, sent, expected);
        if (all.some((r) => r.content?.length === 0)) fail(sent, expected, got, 'A passed descriptor shares its open file, and so its file offset, with yours and every other copy: once the first client had read to the end, the next read nothing. Open FILE for each client (and close your copy after sendmsg()).');
        if (!all.every((r) => r.content?.equals(secret))) fail(sent, expected, got, 'Every client must be able to read the whole file from its start: open FILE afresh for each client.');
        return { sent, expected, got };
      },
    },
  ],
});
