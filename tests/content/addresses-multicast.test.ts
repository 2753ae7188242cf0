/**
 * The addresses topic's multicast pair: a receiver and a sender are not a client and a server, so
 * the exchange harness cannot run them. Here one receiver of each language joins the group on one
 * port (SO_REUSEADDR lets them share it), each language's sender sends a line, and every receiver
 * must print every line: each datagram to a group reaches every member.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { LANGS } from '../../src/catalog/topics.ts';
import { fill, loadExample, prepare, programEnv } from '../support/examples.ts';
import { freePort, killAll, run, start, waitForExit, type Running } from '../support/processes.ts';

const started = new Set<Running>();
after(() => killAll(started));

function command(lang: string, name: string, port: number): string {
  const program = loadExample('addresses', lang).manifest.programs.find((p) => p.name === name);
  assert.ok(program, `addresses/${lang}/example.json has no "${name}" program`);
  return fill(program.run, { port, socket: '' });
}

it('every receiver gets every sender\'s datagrams, in all three languages', async () => {
  const port = await freePort();
  const work = Object.fromEntries(await Promise.all(LANGS.map(async (lang) => [lang, await prepare(loadExample('addresses', lang))] as const)));
  const receivers = LANGS.map((lang) => {
    const receiver = start(command(lang, 'receiver', port), { cwd: work[lang]!, env: programEnv });
    started.add(receiver);
    return { lang, receiver };
  });
  for (const { receiver } of receivers) await receiver.waitFor(`listening on 239.255.0.1:${port}`);
  for (const lang of LANGS) {
    const sent = await run(command(lang, 'sender', port), { cwd: work[lang]!, env: programEnv, input: `from the ${lang} sender\n`, timeoutMs: 20_000 });
    assert.equal(sent.code, 0, `the ${lang} sender should exit 0; stderr:\n${sent.stderr}`);
    assert.match(sent.stdout, new RegExp(`sent "from the ${lang} sender" \\(\\d+ bytes\\)`));
    for (const { lang: receiverLang, receiver } of receivers) {
      await receiver.waitFor(`"from the ${lang} sender" (${`from the ${lang} sender`.length} bytes)`);
      assert.ok(receiver.stdout().includes('from 127.0.0.1:'), `the ${receiverLang} receiver should report the sender's address`);
    }
  }
  for (const { lang, receiver } of receivers) {
    receiver.child.kill('SIGTERM');
    assert.equal(await waitForExit(receiver, `the ${lang} receiver after SIGTERM`), 0, `the ${lang} receiver should exit 0 on SIGTERM`);
    assert.match(receiver.stdout(), /shutting down/);
  }
});
