/**
 * Ctrl-C before a Run types its commands, and the wait for the shell to have the terminal again:
 * text typed while a program still runs would go to that program (a client would send it to its
 * server), and SIGINT flushes whatever is typed before the program has died.
 */
import type { TerminalView } from './terminal-view.ts';

const PROMPT_WAIT_MS = 5000;
const NO_ECHO_MS = 1000;

/**
 * The shell's prompt (`learner@lab:~/examples/tcp/go$ `) is back as the last line, after the
 * `^C` the terminal echoed (one that is not in `before`).
 */
function promptAfterInterrupt(text: string, before: string, waitedMs: number): boolean {
  const lastLine = text.lastIndexOf('\n');
  if (!/\$$/.test(text.slice(lastLine + 1).trimEnd()) || text === before) return false;
  const interrupts = (t: string) => t.split('^C').length;
  // A program that turned the terminal's echo off dies without a `^C`: its prompt counts once
  // the shell has had time to show the `^C` it would have echoed.
  return (interrupts(text) > interrupts(before) && text.lastIndexOf('^C') < lastLine) || waitedMs >= NO_ECHO_MS;
}

/**
 * Presses Ctrl-C in `view` and waits for the prompt that follows it (a prompt seen before the
 * `^C` may be one the shell had not finished drawing: typing then races the interrupt). False
 * when none came within 5 s: a program that ignores Ctrl-C (an editor, a pager) still runs.
 */
export async function interruptToPrompt(view: TerminalView): Promise<boolean> {
  const before = view.text();
  view.type('\x03');
  for (const start = Date.now(); Date.now() - start < PROMPT_WAIT_MS; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (promptAfterInterrupt(view.text(), before, Date.now() - start)) return true;
  }
  return false;
}
