/**
 * The only lab code a lesson page loads before the learner asks for the lab (the page's JS budget
 * is 60 KB gzip until then; tests/content/js-budget.test.ts holds it). It puts Run buttons under
 * the lesson's shell commands and "Edit in the lab" under its programs; xterm.js, the terminals
 * and the editor load on the first click. A lab left open on the previous page opens again here.
 */
import { currentTicket } from './lab-ticket.ts';
import { panelWasOpen } from './session.ts';
import type { PageLab, RunRequest } from './app.ts';

const config = document.getElementById('lab-config');
if (config) setUp(config);

function setUp(config: HTMLElement): void {
  const terminals = JSON.parse(config.dataset.terminals ?? '[]') as string[];
  const page: PageLab = {
    terminals,
    folder: config.dataset.folder ?? 'examples',
    // An exercise page names the chosen language's main file here as the learner picks one.
    mainFile: () => config.dataset.main ?? null,
    launcher: document.querySelector<HTMLButtonElement>('.lab-launcher'),
  };
  const app = () => import('./app.ts').then((m) => m.labApp(page));

  // Out of the lesson column, whose stacking context would put the sidebars on top of it.
  if (page.launcher) document.body.append(page.launcher);
  const openAndFocus = () => void app().then((a) => a.open(true));
  page.launcher?.addEventListener('click', openAndFocus);
  addSkipLink(openAndFocus);
  for (const figure of document.querySelectorAll<HTMLElement>('.sl-markdown-content figure.is-terminal')) addRunButton(figure, terminals, (r) => void app().then((a) => a.run(r)));
  for (const holder of document.querySelectorAll<HTMLElement>('[data-lab-file]')) addEditButton(holder, (path) => void app().then((a) => a.edit(path)));
  if (panelWasOpen() && currentTicket()) void app().then((a) => a.open());
  keepScrollableTablesReachable();
  // Starlight's search button shows "Search Ctrl K" but is named "Search"; speech-input users say
  // what they see, so the name must contain it (WCAG 2.5.3).
  // Spaces between the keycaps make the visible text "Search Ctrl K" rather than "SearchCtrlK".
  const search = document.querySelector('button[data-open-modal][aria-label="Search"]');
  const keys = search ? [...search.querySelectorAll('kbd kbd')].map((k) => k.textContent?.trim()) : [];
  if (search && keys.length > 0) {
    for (const kbd of search.querySelectorAll('kbd')) kbd.before(' ');
    search.setAttribute('aria-label', `Search ${keys.join(' ')}`);
  }
}

/**
 * "Skip to the lab", next to Starlight's "Skip to content": the second Tab stop of the page, where
 * reaching the launcher took over a hundred presses on a long lesson. Hidden until focused.
 */
function addSkipLink(openLab: () => void): void {
  const skip = document.createElement('button');
  skip.type = 'button';
  skip.className = 'lab-skip-link';
  skip.textContent = 'Skip to the lab';
  skip.addEventListener('click', openLab);
  const starlights = document.querySelector('.sl-skip-link');
  if (starlights) starlights.after(skip);
  else document.body.prepend(skip);
}

/** A table wider than the lesson column (narrower with the lab open) scrolls: it must take focus. */
function keepScrollableTablesReachable(): void {
  const observer = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      if (target.scrollWidth > target.clientWidth) target.setAttribute('tabindex', '0');
      else target.removeAttribute('tabindex');
    }
  });
  for (const table of document.querySelectorAll('.sl-markdown-content table')) observer.observe(table);
}

/** `terminal: client2` (a plain ```sh block's title) names the terminal `client2`. */
function terminalOf(figure: HTMLElement, fallback: string): string {
  const title = figure.querySelector('figcaption .title')?.textContent ?? '';
  return /^terminal:\s*([a-z0-9-]{1,32})\b/.exec(title)?.[1] ?? fallback;
}

/**
 * The commands of a shell block, or null when it is not safe to run: a `<Run>` block always is
 * (it `cd`s, builds and runs); a plain block only when it is self-contained, starting with `cd`.
 * Anything else (a transcript with `$ ` lines or output, a fragment that needs state set up by
 * hand) is shown, never run. Comment lines (`#`) are not typed.
 */
function commandsOf(lines: string[], runBlock: boolean): string[] | null {
  const commands = lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (commands.length === 0) return null;
  return runBlock || commands[0]!.startsWith('cd ') ? commands : null;
}

function addRunButton(figure: HTMLElement, terminals: string[], run: (request: RunRequest) => void): void {
  const pre = figure.querySelector('pre[data-language="sh"], pre[data-language="bash"], pre[data-language="shell"]');
  const fallback = terminals.at(-1);
  if (!pre || !fallback) return;
  const block = figure.closest<HTMLElement>('[data-lab-block]');
  const lines = commandsOf([...pre.querySelectorAll('.ec-line')].map((l) => l.textContent ?? ''), block !== null);
  if (!lines) return;
  const terminal = block?.dataset.labTerminal ?? terminalOf(figure, fallback);
  const stop = block?.dataset.labStop?.split(' ') ?? [];
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'lab-action';
  button.dataset.labRun = terminal;
  if (block?.dataset.labFailure !== undefined) button.dataset.labFailure = block.dataset.labFailure;
  button.textContent = `▶ Run in ${terminal}`;
  const stopping = [...stop, terminal].map((t) => `"${t}"`).join(' and ');
  button.title = `Stop what runs in ${stop.length > 0 ? 'terminals' : 'terminal'} ${stopping} (Ctrl-C), then type these commands into "${terminal}"`;
  button.addEventListener('click', () => run({ terminal, lines, stop, origin: button }));
  figure.after(row(button));
}

function addEditButton(holder: HTMLElement, edit: (path: string) => void): void {
  const path = holder.dataset.labFile!;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'lab-action';
  button.dataset.labEdit = path;
  button.textContent = '✎ Edit in the lab';
  button.title = `Open ~/${path} in the lab's editor`;
  button.addEventListener('click', () => edit(path));
  holder.append(row(button));
}

function row(button: HTMLButtonElement): HTMLElement {
  const div = document.createElement('div');
  div.className = 'lab-actions';
  div.append(button);
  return div;
}
