/**
 * The editor's file API (docs/protocol.md, "Files") against real labs, through public HTTP and
 * the terminal protocol only: what the API writes, a terminal in the same lab sees; what it reads
 * is byte for byte the course's file; paths that leave the home folder, by name or by a symlink
 * the learner made, are refused; sizes and tokens are enforced.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import { apiErrorSchema, listingSchema, type ApiErrorBody, type LabTicket } from '../../../wire/lab-api.ts';
import { holds } from '../../support/contract.ts';
import { EXAMPLES } from '../../support/examples.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';
import { testDrivers } from '../../support/drivers.ts';

const LIMIT = 256 * 1024;
const SERVER_C = 'examples/tcp/c/server.c';
const original = readFileSync(join(EXAMPLES, 'tcp/c/server.c'));

interface Answer {
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The body of a JSON error answer, as the contract says it is. */
function errorOf(answer: Answer): ApiErrorBody {
  return holds(apiErrorSchema, JSON.parse(answer.body.toString()), `a ${answer.status} answer`);
}

/**
 * A request sent exactly as written: fetch (and URL parsing) would resolve "..", so a path that
 * tries it would never reach the server. `body`: bytes, or chunks sent without a Content-Length.
 */
function rawRequest(base: string, method: string, path: string, token: string, body?: Buffer | Buffer[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ host: hostname, port, method, path, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    // The server may answer 413 and close while chunks are still going out.
    req.on('error', (err) => (req.writableEnded ? undefined : reject(err)));
    if (Array.isArray(body)) {
      const chunks = [...body];
      const next = () => {
        const chunk = chunks.shift();
        if (!chunk) return void req.end();
        if (req.destroyed) return;
        req.write(chunk, () => setImmediate(next));
      };
      next();
    } else req.end(body);
  });
}

for (const driver of testDrivers()) describe(`the file API on ${driver}`, () => {
  let server: TestServer;
  let lab: LabTicket;
  const terms: TermClient[] = [];
  const open = async (someLab: LabTicket, termId: string) => {
    const t = await TermClient.open(server.base, someLab, termId);
    terms.push(t);
    return t;
  };

  async function call(method: string, route: string, options: { body?: Uint8Array<ArrayBuffer>; token?: string | null; lab?: LabTicket } = {}): Promise<Answer> {
    const target = options.lab ?? lab;
    const token = options.token === undefined ? target.token : options.token;
    const res = await fetch(`${server.base}/api/labs/${target.labId}/${route}`, {
      method,
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      ...(options.body ? { body: options.body } : {}),
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  before(async () => {
    server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600' });
    lab = await createLab(server.base);
  });
  after(async () => {
    for (const t of terms) t.close();
    await server.stop();
  });

  it('lists the course examples with their sizes, examples/ by default', async () => {
    const answer = await call('GET', 'files');
    assert.equal(answer.status, 200);
    const listing = holds(listingSchema, JSON.parse(answer.body.toString()), 'a listing');
    assert.equal(listing.dir, 'examples');
    assert.equal(listing.truncated, false);
    assert.deepEqual(listing.entries.find((e) => e.path === SERVER_C), { path: SERVER_C, kind: 'file', size: original.length });
    assert.equal(listing.entries.find((e) => e.path === 'examples/tcp/c')?.kind, 'folder');
    const inFolder = JSON.parse((await call('GET', 'files?dir=examples/tcp/c')).body.toString()) as { entries: { path: string }[] };
    assert.deepEqual(inFolder.entries.map((e) => e.path).sort(), readdirSync(join(EXAMPLES, 'tcp/c')).sort().map((f) => `examples/tcp/c/${f}`));
  });

  it('reads a file as exactly the bytes of the course original', async () => {
    const answer = await call('GET', `files/${SERVER_C}`);
    assert.equal(answer.status, 200);
    assert.equal((answer.headers as Headers).get('content-type'), 'text/plain; charset=utf-8');
    assert.ok(answer.body.equals(original), 'the bytes differ from content/examples/tcp/c/server.c');
    assert.equal((await call('GET', 'files/examples/tcp/c/missing.c')).status, 404);
    assert.equal(errorOf(await call('GET', 'files?dir=examples/nothing-here')).reason, 'not-found');
  });

  it('writes a new file in new folders and reads it back byte for byte', async () => {
    const content = Buffer.concat([Buffer.from('héllo, wörld ✓\n'), Buffer.from([0, 1, 2, 255, 10])]);
    assert.equal((await call('PUT', 'files/notes/day-1/first.txt', { body: content })).status, 204);
    const back = await call('GET', 'files/notes/day-1/first.txt');
    assert.equal(back.status, 200);
    assert.ok(back.body.equals(content));
    // An empty file is a file too.
    assert.equal((await call('PUT', 'files/notes/empty.txt', { body: new Uint8Array(0) })).status, 204);
    assert.equal((await call('GET', 'files/notes/empty.txt')).body.length, 0);
  });

  it('saves an edit that a terminal of the same lab compiles and runs, then resets it to the original', async () => {
    const edited = Buffer.from(original.toString().replace('"listening on ', '"edited in the browser, listening on '));
    assert.notEqual(edited.length, original.length);
    const term = await open(lab, 'edit');
    await term.waitFor('$ ');
    const modeOf = async () => /mode=(\d+)/.exec(await term.sh(`echo mode=$(stat -c %a ~/${SERVER_C})`))?.[1];
    const modeBefore = await modeOf();
    assert.ok(modeBefore);
    assert.equal((await call('PUT', `files/${SERVER_C}`, { body: edited })).status, 204);
    term.type('cd ~/examples/tcp/c && gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c && ./server 9191\r');
    await term.waitFor('edited in the browser, listening on 127.0.0.1:9191', 30_000);
    term.type('\x03');
    // Saving keeps the file's mode (not mktemp's 0600).
    assert.equal(await modeOf(), modeBefore);

    assert.equal((await call('POST', `reset/${SERVER_C}`)).status, 204);
    assert.ok((await call('GET', `files/${SERVER_C}`)).body.equals(original), 'reset did not restore the original bytes');
    assert.match(await term.sh(`echo edits=$(grep -c 'edited in the browser' ~/${SERVER_C})`), /edits=0/);

    const notAnExample = await call('POST', 'reset/notes/day-1/first.txt');
    assert.equal(notAnExample.status, 404);
    assert.equal(errorOf(notAnExample).reason, 'not-an-example');
    assert.equal((await call('POST', 'reset/examples/tcp/c/made-up.c')).status, 404);
  });

  it('refuses paths that leave the home folder or break the rules, saying what is allowed', async () => {
    const refused = [
      'files/../../etc/passwd',
      'files/examples/../../../etc/passwd',
      'files/examples%2F..%2F..%2Fetc%2Fpasswd',
      'files/%2e%2e/%2e%2e/etc/passwd',
      'files//etc/passwd',
      'files/%2Fetc%2Fpasswd',
      'files/examples\\tcp',
      'files/examples/tcp/c/server.c%00',
      'files/examples//tcp',
      `files/${'a'.repeat(256)}`,
      'files?dir=/etc',
      'files?dir=..',
      'reset/examples/../../etc/passwd',
    ];
    for (const path of refused) {
      const answer = await rawRequest(server.base, path.startsWith('reset/') ? 'POST' : 'GET', `/api/labs/${lab.labId}/${path}`, lab.token);
      assert.equal(answer.status, 400, `${path}: ${answer.body.toString()}`);
      const { reason, error } = errorOf(answer);
      assert.equal(reason, 'bad-path');
      assert.match(error, /relative to the home folder/);
      assert.doesNotMatch(answer.body.toString(), /root:x:0/);
    }
    const writeOutside = await rawRequest(server.base, 'PUT', `/api/labs/${lab.labId}/files/../../tmp/escaped`, lab.token, Buffer.from('x'));
    assert.equal(writeOutside.status, 400);
  });

  it('refuses a symlink the learner made that points out of the home folder', async () => {
    const term = await open(lab, 'links');
    await term.waitFor('$ ');
    await term.sh('ln -s /etc/passwd ~/examples/passwd-link && ln -s /etc ~/etc-link && ln -s /tmp ~/tmp-link && echo secret > /tmp/outside.txt');
    const read = await call('GET', 'files/examples/passwd-link');
    assert.equal(read.status, 403);
    assert.equal(errorOf(read).reason, 'outside-home');
    assert.doesNotMatch(read.body.toString(), /root:x:0/);
    assert.equal((await call('GET', 'files/etc-link/passwd')).status, 403);
    assert.equal((await call('GET', 'files/tmp-link/outside.txt')).status, 403);
    assert.equal((await call('GET', 'files?dir=etc-link')).status, 403);
    assert.equal((await call('PUT', 'files/tmp-link/planted.txt', { body: Buffer.from('planted') })).status, 403);
    assert.equal((await call('PUT', 'files/examples/passwd-link', { body: Buffer.from('planted') })).status, 403);
    // Refused before the body is read inside the lab: a large one must not turn that into an error.
    for (let i = 0; i < 3; i++) assert.equal((await call('PUT', 'files/etc-link/hosts', { body: Buffer.alloc(LIMIT, 0x63) })).status, 403);
    // Nothing was written through them: the links are still links, and /tmp has no new file.
    assert.match(await term.sh('readlink ~/examples/passwd-link; ls /tmp'), /\/etc\/passwd[\s\S]*outside\.txt/);
    assert.doesNotMatch(await term.sh('ls /tmp'), /planted/);
    // A link that stays inside the home folder is followed like any path.
    await term.sh(`ln -s ~/${SERVER_C} ~/server-link.c`);
    assert.ok((await call('GET', 'files/server-link.c')).body.equals(original));
  });

  it('refuses a file over 256 KiB with 413 and keeps the old content, with or without a Content-Length', async () => {
    const path = 'notes/kept.txt';
    const kept = Buffer.from('the old content\n');
    assert.equal((await call('PUT', `files/${path}`, { body: kept })).status, 204);
    assert.equal((await call('PUT', `files/${path}`, { body: Buffer.alloc(LIMIT) })).status, 204, 'exactly the limit is allowed');
    assert.equal((await call('PUT', `files/${path}`, { body: kept })).status, 204);

    const declared = await call('PUT', `files/${path}`, { body: Buffer.alloc(LIMIT + 1, 0x61) });
    assert.equal(declared.status, 413);
    assert.equal(errorOf(declared).reason, 'too-large');
    // Chunked: the server only learns the size while reading, and stops there.
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 0x62));
    const streamed = await rawRequest(server.base, 'PUT', `/api/labs/${lab.labId}/files/${path}`, lab.token, chunks);
    assert.equal(streamed.status, 413);
    assert.equal(errorOf(streamed).reason, 'too-large');
    assert.ok((await call('GET', `files/${path}`)).body.equals(kept), 'a refused write changed the file');
  });

  it('answers 404 to a wrong token, no token, and another lab\'s token, as DELETE does', async () => {
    const other = await createLab(server.base);
    try {
      for (const token of ['wrong', null, other.token]) {
        for (const [method, route] of [['GET', 'files'], ['GET', `files/${SERVER_C}`], ['PUT', 'files/notes/intruder.txt'], ['POST', `reset/${SERVER_C}`], ['GET', 'archive']] as const) {
          const answer = await call(method, route, { token, ...(method === 'PUT' ? { body: Buffer.from('intruder') } : {}) });
          assert.equal(answer.status, 404, `${method} ${route} with token ${String(token).slice(0, 8)}`);
          assert.equal(errorOf(answer).reason, 'no-lab');
        }
      }
      // A bad path with a wrong token still says only "no such lab".
      assert.equal((await rawRequest(server.base, 'GET', `/api/labs/${lab.labId}/files/../x`, 'wrong')).status, 404);
      assert.equal((await call('GET', 'files/notes/intruder.txt')).status, 404, 'a refused write still wrote');
      // The other lab's token opens the other lab's files, which are its own.
      assert.equal((await call('GET', 'files/notes/day-1/first.txt', { lab: other })).status, 404);
    } finally {
      await deleteLab(server.base, other);
    }
  });

  it('downloads the learner\'s files as a tar.gz that holds the edits and not the caches', async () => {
    const edited = Buffer.from('int main(void) { return 42; }\n');
    assert.equal((await call('PUT', 'files/examples/udp/c/mine.c', { body: edited })).status, 204);
    const answer = await call('GET', 'archive');
    assert.equal(answer.status, 200);
    const headers = answer.headers as Headers;
    assert.equal(headers.get('content-type'), 'application/gzip');
    assert.match(headers.get('content-disposition') ?? '', /^attachment; filename="[^"]+\.tar\.gz"$/);
    const names = execFileSync('tar', ['tzf', '-'], { input: answer.body, encoding: 'utf8' }).split('\n');
    for (const name of ['./examples/udp/c/mine.c', `./${SERVER_C}`, './notes/day-1/first.txt']) assert.ok(names.includes(name), `${name} is not in the archive`);
    assert.ok(!names.some((n) => n.startsWith('./.cache/') || n.includes('node_modules')), 'caches went into the archive');
    const extracted = execFileSync('tar', ['xzf', '-', '-O', './examples/udp/c/mine.c'], { input: answer.body });
    assert.ok(extracted.equals(edited));
    // A symlink is stored as a link, not as its target's content.
    assert.match(execFileSync('tar', ['tzvf', '-'], { input: answer.body, encoding: 'utf8' }), /^l.* \.\/examples\/passwd-link -> \/etc\/passwd$/m);
  });

  it('makes one archive of a lab at a time (each is held in memory until read), and the next once it is sent', async () => {
    const [first, second] = await Promise.all([call('GET', 'archive'), call('GET', 'archive')]);
    assert.deepEqual([first.status, second.status].sort(), [200, 409]);
    const refused = first.status === 409 ? first : second;
    assert.equal(errorOf(refused).reason, 'busy');
    assert.match(errorOf(refused).error, /wait until that download has finished/);
    assert.equal((await call('GET', 'archive')).status, 200, 'the lock ends with the download');
  });

  it('makes at most MAX_ARCHIVES archives at once on the whole server (each is held in memory until read)', async () => {
    const capped = await startTestServer({ SANDBOX_DRIVER: driver, MAX_ARCHIVES: '1' });
    try {
      const labs = [await createLab(capped.base), await createLab(capped.base)];
      const archive = (someLab: LabTicket) => fetch(`${capped.base}/api/labs/${someLab.labId}/archive`, { headers: { Authorization: `Bearer ${someLab.token}` } });
      const answers = await Promise.all(labs.map(archive));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 503], 'two labs at once, one slot');
      const refused = answers.find((a) => a.status === 503)!;
      const body = apiErrorSchema.parse(await refused.json());
      assert.equal(body.reason, 'archives-busy');
      assert.match(body.error, /try again in a few seconds/);
      await Promise.all(answers.map((a) => a.arrayBuffer().catch(() => null)));
      assert.equal((await archive(labs[1]!)).status, 200, 'the slot is free again once the download is done');
    } finally {
      await capped.stop();
    }
  });

  it('counts saving a file as activity for the idle timeout', async () => {
    const idle = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '3', LAB_IDLE_WARNING_SECONDS: '1' });
    try {
      const quiet = await createLab(idle.base);
      const alive = async () => (await fetch(`${idle.base}/api/labs/${quiet.labId}`, { headers: { Authorization: `Bearer ${quiet.token}` } })).status;
      const save = async () => fetch(`${idle.base}/api/labs/${quiet.labId}/files/notes/busy.txt`, { method: 'PUT', headers: { Authorization: `Bearer ${quiet.token}` }, body: 'still here' });
      for (let i = 0; i < 6; i++) {
        assert.equal((await save()).status, 204);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assert.equal(await alive(), 200, 'the lab ended for idleness while files were being saved');
      await new Promise((resolve) => setTimeout(resolve, 4500));
      assert.equal(await alive(), 404, 'the lab outlived its idle timeout once the saving stopped');
    } finally {
      await idle.stop();
    }
  });

  it('leaves what is not a file route to the rest of the API', async () => {
    const res = await fetch(`${server.base}/api/labs/${lab.labId}`, { headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(res.status, 200);
    const wrongMethod = await call('DELETE', `files/${SERVER_C}`);
    assert.equal(wrongMethod.status, 405);
    assert.equal((wrongMethod.headers as Headers).get('allow'), 'GET, PUT');
  });
});
