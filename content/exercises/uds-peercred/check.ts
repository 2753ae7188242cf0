/**
 * Checker of uds-peercred: a Unix stream echo server on {socket} that welcomes only the uid it runs
 * as and refuses every other one, going by the kernel's SO_PEERCRED, never by what a client says.
 *
 * The checker is another uid of the learner's group: it connects as itself to be refused, and has
 * the runner start a small Node client as the learner to be welcomed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectUnix, fail, runChecker, show, within, type Context } from '../_lib/checker.ts';

/** The two uids as the learner's program sees them (on bwrap, the checker's is the overflow uid). */
interface Uids {
  learner: number;
  checker: number;
}

let uids: Promise<Uids> | null = null;

/** Asks, as the learner, for its own uid and for the owner of the checker's scratch folder. */
function whoIsWho(t: Context): Promise<Uids> {
  uids ??= (async () => {
    const probe = t.start({ command: `sh -c 'id -u && stat -c %u ${t.scratch}'` });
    await within(probe.exited, 3000, 'the uid probe did not finish');
    const [learner, checker] = probe.output.trim().split('\n').map(Number);
    if (!Number.isInteger(learner) || !Number.isInteger(checker) || learner === checker) throw new Error(`the checker could not tell the two uids apart (it got ${show(probe.output)})`);
    return { learner: learner!, checker: checker! };
  })();
  return uids;
}

/**
 * A client run as the learner: connects to argv[2]; "send" writes "ping\n" in two pieces and
 * half-closes; "hold" prints WELCOMED after the first line and half-closes when its stdin ends.
 * Prints everything it received (base64) when the server closes.
 */
const CLIENT = `const net = require('node:net');
const [path, mode] = process.argv.slice(2);
const got = [];
let welcomed = false;
const c = net.createConnection({ path, allowHalfOpen: true });
c.on('connect', () => {
  if (mode === 'hold') return process.stdin.on('end', () => c.end()).resume();
  c.write('pi');
  setTimeout(() => { c.write('ng\\n'); c.end(); }, 150);
});
c.on('data', (d) => {
  got.push(d);
  if (!welcomed && Buffer.concat(got).includes(10)) { welcomed = true; console.log('WELCOMED'); }
});
c.on('end', () => { console.log('GOT ' + Buffer.concat(got).toString('base64')); c.destroy(); });
c.on('error', (e) => { console.log('ERROR ' + e.code); process.exit(1); });
`;

function learnerClient(t: Context, mode: 'send' | 'hold') {
  const script = join(t.scratch, 'client.cjs');
  writeFileSync(script, CLIENT);
  return t.start({ command: `${process.execPath} ${script} ${t.addr.socket} ${mode}`, stdin: mode === 'hold' });
}

/** What the learner's client received, from its GOT/ERROR line. */
function received(output: string): { data: string | null; error: string | null } {
  const got = /^GOT (\S*)$/m.exec(output);
  const error = /^ERROR (\S+)$/m.exec(output);
  return { data: got ? Buffer.from(got[1]!, 'base64').toString('utf8') : null, error: error ? error[1]! : null };
}

const LISTENER_HINT = 'Your server let in a uid that is not its own. Compare the peer\'s uid with getuid(), and ask the socket accept() returned: SO_PEERCRED on the listening socket gives the credentials of whoever called listen(), that is your own server, whoever connects.';
const WAITED_HINT = 'Decide as soon as accept() returns, from the credentials the kernel recorded at connect(): do not wait for the client to say who it is (what it writes proves nothing).';

/** Judges what a client of another uid got: exactly "refused uid <its uid>\n", then the close. */
function judgeRefusal(got: Buffer, closed: boolean, u: Uids, sent: string, welcomeHint: string) {
  const want = `refused uid ${u.checker}\n`;
  const expected = `${show(want)}, then the connection closed`;
  const text = got.toString('utf8');
  const seen = `${show(got)}${closed ? ', then the connection closed' : ', and the connection was still open 2 s later'}`;
  if (text.startsWith('welcome')) fail(sent, expected, seen, welcomeHint);
  if (text === '' && !closed) fail(sent, expected, seen, WAITED_HINT);
  if (text.startsWith('refused uid ') && !text.startsWith(want)) {
    const uid = /^refused uid (\d+)/.exec(text)?.[1];
    fail(sent, expected, seen, uid === String(u.learner) ? `${uid} is your own uid: the reply names the peer's uid (struct ucred's uid from SO_PEERCRED on the accepted socket), not getuid().` : 'The reply names the uid SO_PEERCRED gives for the accepted socket, in decimal: "refused uid <uid>\\n".');
  }
  if (text !== want) fail(sent, expected, seen, 'Send exactly "refused uid <uid>\\n" and nothing else, then close the connection.');
  if (!closed) fail(sent, expected, seen, 'Close a refused connection right after the reply: left open, the client you refused still holds a connection to your server (and a thread or descriptor of it).');
  return { sent, expected, got: seen };
}

await runChecker({
  readiness: (a) => ({ unix: a.socket }),
  notReadyHint: 'Listen on the path given as the only argument. The checker connects as another user of your group: leave the socket file group-writable (chmod 0660 after bind()).',
  checks: [
    {
      id: 'refuse-other',
      title: 'Refuses a client of another uid: says so and closes',
      run: async (t) => {
        await t.server();
        const u = await whoIsWho(t);
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const closed = await c.closesWithin(2000);
        return judgeRefusal(c.pending, closed, u, `connected as uid ${u.checker} (your server runs as uid ${u.learner}) and sent nothing`, LISTENER_HINT);
      },
    },
    {
      id: 'lying-client',
      title: 'Refuses a client that claims to be you',
      run: async (t) => {
        await t.server();
        const u = await whoIsWho(t);
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const claim = `uid ${u.learner}\n`;
        // A correct server has usually refused and hung up by now; writing then would fail with
        // EPIPE, which makes Node drop the reply unread. One that waits for the client to speak gets the claim.
        const answered = await c.closesWithin(300);
        const wrote = !answered && (await c.write(claim).then(() => true, () => false));
        const closed = answered || (await c.closesWithin(2000));
        const sent = `connected as uid ${u.checker}${wrote ? ` and wrote ${show(claim)}` : `; your server answered within 300 ms, before the checker wrote ${show(claim)}`}`;
        return judgeRefusal(c.pending, closed, u, sent, 'Your server let in a client that wrote your uid: any client can write any uid. Only SO_PEERCRED, filled in by the kernel at connect(), says who is at the other end: ask it on the socket accept() returned, and read nothing before you decide.');
      },
    },
    {
      id: 'owner-served',
      title: 'Welcomes its own uid and echoes its lines, even after refusing others',
      timeoutMs: 6000,
      run: async (t) => {
        const server = await t.server();
        const u = await whoIsWho(t);
        const client = learnerClient(t, 'send');
        const sent = `as uid ${u.learner} (yours): connected, wrote "pi", then 150 ms later "ng\\n", then half-closed`;
        const want = `welcome uid ${u.learner}\necho: ping\n`;
        const expected = `${show(want)}, then the connection closed`;
        const finished = await client.exitsWithin(3000);
        const { data, error } = received(client.output);
        if (server.hasExited) fail(sent, expected, server.describeExit(), 'A refused client must not end your server: refuse it, close that connection, and go on accepting.');
        if (error) fail(sent, expected, `the client got ${error}`, error === 'ECONNREFUSED' ? 'Nobody accepted the connection: is your server still accepting after it refused a client?' : 'Your server ended the connection abruptly; close it only after the client half-closes.');
        if (!finished || data === null) fail(sent, expected, `the connection was still open 3 s later${client.output.includes('WELCOMED') ? ' (the welcome line did arrive)' : ''}`, 'Read lines until the client closes its side (read() returns 0), then close the connection.');
        if (data.startsWith('refused')) fail(sent, expected, show(data), `Your server refused its own uid (${u.learner}): compare the peer's uid from SO_PEERCRED with getuid(), the uid your server runs as.`);
        if (!data.startsWith(`welcome uid ${u.learner}\n`)) fail(sent, expected, show(data), `Greet your own uid with exactly "welcome uid ${u.learner}\\n" (the peer's uid, in decimal) before anything else.`);
        if (data !== want) fail(sent, expected, show(data), 'After the welcome, answer each line with "echo: <line>\\n", however the line arrives in pieces, and nothing more.');
        return { sent, expected, got: `${show(data)}, then the connection closed` };
      },
    },
    {
      id: 'concurrent',
      title: 'Refuses a stranger while its own uid stays connected',
      timeoutMs: 6000,
      run: async (t) => {
        await t.server();
        const u = await whoIsWho(t);
        const holder = learnerClient(t, 'hold');
        await holder.waitForOutput('WELCOMED', 2000).catch(() => {});
        if (!holder.output.includes('WELCOMED')) fail(`as uid ${u.learner}: connected`, `"welcome uid ${u.learner}\\n"`, holder.output.trim() ? show(holder.output.trim()) : 'no welcome line within 2 s', `Greet your own uid with "welcome uid ${u.learner}\\n" at once.`);
        const c = await connectUnix(t.addr.socket);
        t.defer(() => c.close());
        const closed = await c.closesWithin(2000);
        holder.endInput();
        const sent = `while a client of uid ${u.learner} stayed connected, connected as uid ${u.checker}`;
        if (c.pending.length === 0 && !closed) fail(sent, `"refused uid ${u.checker}\\n" at once`, 'nothing within 2 s', 'Your server is busy with the connected client and does not accept the next: serve each client on its own thread (C) or goroutine (Go).');
        return judgeRefusal(c.pending, closed, u, sent, LISTENER_HINT);
      },
    },
  ],
});
