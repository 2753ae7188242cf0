/**
 * The Ctrl-C a Run presses before it types (src/client/lab/interrupt.ts), against a terminal that
 * answers as bash does, on node's mock clock: how long each kind of terminal makes a Run wait.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { interruptToPrompt, SHELL_START_LIMIT_MS } from '../../src/client/lab/interrupt.ts';
import type { TerminalView } from '../../src/client/lab/terminal-view.ts';

const PROMPT = 'learner@lab:~/examples/tcp/c$';

/**
 * A terminal showing `screen`; Ctrl-C gets `^C` and a new prompt when `stops` says so, except the
 * first `lost` of them, which show nothing (bash lost them to a SIGWINCH).
 */
function terminal(screen: string, stops = true, lost = 0) {
  const typed: string[] = [];
  const view = {
    name: 'server',
    screen,
    text: () => view.screen,
    type(keys: string) {
      typed.push(keys);
      if (keys === '\x03' && stops && typed.length > lost) view.screen += `^C\n${PROMPT}`;
    },
  };
  return { view, typed, asView: view as unknown as TerminalView };
}

/** Advances the mock clock in the 50 ms steps the waits poll at, letting promises settle. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    mock.timers.tick(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves to the interrupt's answer and the mock time it took, advancing the clock as it waits. */
async function timed(view: TerminalView, limitMs: number): Promise<{ stopped: boolean | undefined; ms: number }> {
  let stopped: boolean | undefined;
  const start = Date.now();
  void interruptToPrompt(view).then((s) => (stopped = s));
  for (let waited = 0; stopped === undefined && waited <= limitMs; waited += 50) await advance(50);
  return { stopped, ms: Date.now() - start };
}

describe('Ctrl-C before a Run', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('interrupts a running program at once: its prompt line, with the command after it, counts as drawn', async () => {
    const { asView, typed } = terminal(`${PROMPT} ./server 9090\nlistening on 0.0.0.0:9090`);
    const { stopped, ms } = await timed(asView, SHELL_START_LIMIT_MS);
    assert.equal(stopped, true);
    assert.deepEqual(typed, ['\x03']);
    assert.ok(ms <= 200, `the Run waited ${ms} ms before its Ctrl-C stopped a running program`);
  });

  it('interrupts a shell at its prompt at once', async () => {
    const { asView } = terminal(`${PROMPT} ls\nclient.c  server.c\n${PROMPT}`);
    const { stopped, ms } = await timed(asView, SHELL_START_LIMIT_MS);
    assert.equal(stopped, true);
    assert.ok(ms <= 200, `${ms} ms`);
  });

  it('holds its Ctrl-C until a new shell draws its first prompt (bash would eat the next key)', async () => {
    const { view, asView, typed } = terminal('');
    let stopped: boolean | undefined;
    void interruptToPrompt(asView).then((s) => (stopped = s));
    await advance(10_000);
    assert.deepEqual(typed, [], 'Ctrl-C was sent before the shell drew its prompt');
    view.screen = PROMPT;
    await advance(200);
    assert.deepEqual(typed, ['\x03']);
    assert.equal(stopped, true);
  });

  it('presses Ctrl-C again, once, when the first showed no ^C (bash lost it to a resize)', async () => {
    const { asView, typed } = terminal(`${PROMPT} ./server 9090\nlistening on 0.0.0.0:9090`, true, 1);
    const { stopped, ms } = await timed(asView, SHELL_START_LIMIT_MS);
    assert.equal(stopped, true);
    assert.deepEqual(typed, ['\x03', '\x03']);
    assert.ok(ms >= 1000 && ms <= 1200, `stopped after ${ms} ms`);
  });

  it('presses Ctrl-C once when its ^C shows, even if the program takes a while to exit', async () => {
    const { view, asView, typed } = terminal(`${PROMPT} ./server 9090`, false);
    let stopped: boolean | undefined;
    void interruptToPrompt(asView).then((s) => (stopped = s));
    await advance(100);
    view.screen += '^C\nserver: closing 3 connections';
    await advance(3000);
    view.screen += `\n${PROMPT}`;
    await advance(200);
    assert.equal(stopped, true);
    assert.deepEqual(typed, ['\x03']);
  });

  it('says a program that ignores Ctrl-C did not stop, after 5 s', async () => {
    const { asView } = terminal(`${PROMPT} less server.c\n#include <stdio.h>`, false);
    const { stopped, ms } = await timed(asView, SHELL_START_LIMIT_MS);
    assert.equal(stopped, false);
    assert.ok(ms >= 5000 && ms <= 5200, `gave up after ${ms} ms`);
  });
});
