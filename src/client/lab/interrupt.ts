/**
 * Ctrl-C before a Run types its commands, and the wait for the shell to have the terminal again:
 * text typed while a program still runs would go to that program (a client would send it to its
 * server), and SIGINT flushes whatever is typed before the program has died.
 */
import type { TerminalView } from './terminal-view.ts';

const PROMPT_WAIT_MS = 5000;

/**
 * The terminal echoed a Ctrl-C (`^C`) that is not in `before`, and the shell's prompt
 * (`learner@lab:~/examples/tcp/go$ `) has come back after it as the last line.
 */
function promptAfterInterrupt(text: string, before: string): boolean {
  const lastLine = text.lastIndexOf('\n');
  const interrupts = (t: string) => t.split('^C').length;
  return interrupts(text) > interrupts(before) && text.lastIndexOf('^C') < lastLine && /\$$/.test(text.slice(lastLine + 1).trimEnd());
}

/**
 * Presses Ctrl-C in `view` and waits for the prompt that follows it (a prompt seen before the
 * `^C` may be one the shell had not finished drawing: typing then races the interrupt). False
 * when none came within 5 s: a program that ignores Ctrl-C (an editor, a pager) still runs.
 */
export async function interruptToPrompt(view: TerminalView): Promise<boolean> {
  const before = view.text();
  view.type('\x03');
  for (const deadline = Date.now() + PROMPT_WAIT_MS; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (promptAfterInterrupt(view.text(), before)) return true;
  }
  return false;
}
