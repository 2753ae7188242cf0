/**
 * Ctrl-C before a Run types its commands, and the wait for the shell to have the terminal again:
 * text typed while a program still runs would go to that program (a client would send it to its
 * server), and SIGINT flushes whatever is typed before the program has died.
 */
import type { TerminalView } from './terminal-view.ts';

const PROMPT_WAIT_MS = 5000;
/** How long a Ctrl-C may show no `^C` before it is pressed again. */
const ECHO_WAIT_MS = 1000;

/**
 * How long a Run waits for a new shell's first output (its prompt). A shell that attached but
 * never prints (a stuck sandbox, a lost connection the browser has not noticed) must not leave
 * the button waiting for ever: the learner is told, and can press Run again.
 */
export const SHELL_START_LIMIT_MS = 30_000;

/**
 * Resolves once `view`'s shell has printed something; rejects with a sentence for the learner
 * when it could not start or printed nothing within `ms`.
 */
export async function startedWithin(view: TerminalView, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the shell in terminal "${view.name}" printed nothing in ${ms / 1000} s. Press Enter in that terminal to see whether it answers; if it does not, press End lab and start a new one. Then press Run again.`)), ms);
  });
  try {
    await Promise.race([
      view.started.catch((err: Error) => {
        throw new Error(`the shell in terminal "${view.name}" could not start. ${err.message}`);
      }),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The shell's prompt (`learner@lab:~/examples/tcp/go$ `) ends `text`. */
const endsAtPrompt = (text: string) => /\$$/.test(text.trimEnd());

/** Some line of `text` is a prompt, alone or with a command typed after it (`...$ ./server`). */
const promptDrawn = (text: string) => /\$(?: |$)/m.test(text);

/**
 * The terminal echoed a `^C` that is not in `before`, and the shell's prompt has come back after
 * it: on the next line, or on the same one when the program exited by itself on SIGINT (bash
 * starts no new line then: `^Clearner@lab:~$ `).
 */
function promptAfterInterrupt(text: string, before: string): boolean {
  return interrupts(text) > interrupts(before) && endsAtPrompt(text.slice(text.lastIndexOf('^C') + 2));
}

const interrupts = (text: string) => text.split('^C').length;

async function until(holds: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (holds()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return holds();
}

/**
 * Presses Ctrl-C in `view` and waits for the prompt that follows its `^C` (a prompt seen before
 * the `^C` may be one the shell had not finished drawing: typing then races the interrupt). False
 * when none came within 5 s: a program that ignores Ctrl-C (an editor, a pager) still runs.
 */
export async function interruptToPrompt(view: TerminalView): Promise<boolean> {
  // A shell that has not drawn its first prompt is still setting up its line editor: bash acts
  // on a Ctrl-C that comes then only when the next key arrives, and eats that key (the `c` of
  // `cd`, leaving `d: command not found`). Let it draw the prompt first.
  // On a busy server the first prompt may take a while: as long as a new shell may take to start.
  // Only a shell that never drew one waits: a terminal running a program (its prompt line has the
  // command after it) gets its Ctrl-C at once.
  if (!promptDrawn(view.text())) await until(() => endsAtPrompt(view.text()), SHELL_START_LIMIT_MS);
  const before = view.text();
  const deadline = Date.now() + PROMPT_WAIT_MS;
  view.type('\x03');
  // A Ctrl-C the terminal took shows `^C` at once: the terminal echoes it for a running program,
  // bash's line editor for its prompt. One that shows nothing was lost: the line editor keeps one
  // pending signal, and the SIGWINCH of a resize that reaches a busy shell with the SIGINT is
  // handled after it and takes its place (readline's _rl_caught_signal). So it is pressed again,
  // once; a program that echoes nothing (an editor, a pager) gets a second Ctrl-C it ignores too.
  if (!(await until(() => interrupts(view.text()) > interrupts(before), ECHO_WAIT_MS))) view.type('\x03');
  return until(() => promptAfterInterrupt(view.text(), before), deadline - Date.now());
}
