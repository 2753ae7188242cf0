/**
 * Every example program pair run inside a real lab, through the public protocol only, the way a
 * learner runs it: build and start the server in one terminal, run the client in another, type the
 * manifest's input and end it with Ctrl-D, run the extra clients (curl), then stop the server with
 * Ctrl-C. Proves the lab has what the lessons need (toolchains, warm Go cache, npm packages,
 * loopback, /tmp) and that the programs behave on a real terminal, not only on pipes.
 */
import { after, before, describe, it } from 'node:test';
import { TOPICS } from '../../../src/catalog/topics.ts';
import { allExamples, type Placeholders } from '../../support/examples.ts';
import { createLab, deleteLab, TermClient } from '../../support/lab-client.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { runExamplePair } from '../../support/lab-terminals.ts';
import { testDrivers } from '../../support/drivers.ts';
import { startTestServer, type TestServer } from '../../support/server-harness.ts';

const topics: readonly string[] = TOPICS;
/** Every server/client pair (compare/ is a lone benchmark, not a topic). */
const examples = allExamples().filter((example) => topics.includes(example.topic));

for (const driver of testDrivers()) {
  describe(`examples in a ${driver} lab`, () => {
    let server: TestServer;
    const labs = new Set<LabTicket>();
    const terms = new Set<TermClient>();

    before(async () => {
      server = await startTestServer({ SANDBOX_DRIVER: driver, LAB_IDLE_SECONDS: '600' });
    });
    after(async () => {
      for (const t of terms) t.close();
      for (const lab of labs) await deleteLab(server.base, lab).catch(() => {});
      await server?.stop();
    });

    examples.forEach((example, index) => {
      const { topic, lang } = example;
      it(`${topic}/${lang}: build, server in one terminal, client in another`, async () => {
        const values: Placeholders = { port: 9090 + index, socket: `/tmp/sl-${topic}-${lang}.sock` };
        const lab = await createLab(server.base);
        labs.add(lab);
        const srv = await TermClient.open(server.base, lab, 'server');
        const cli = await TermClient.open(server.base, lab, 'client');
        terms.add(srv).add(cli);
        try {
          await runExamplePair(srv, cli, example, values);
        } finally {
          srv.close();
          cli.close();
          terms.delete(srv);
          terms.delete(cli);
          if ((await deleteLab(server.base, lab).catch(() => 0)) === 204) labs.delete(lab);
        }
      });
    });
  });
}
