/**
 * The panel's terminals: a tab and a pane per terminal, each saying its state in words on its bar
 * (connecting, reconnecting, a shell that ended or could not start, taken by another tab), and
 * the settings all of them follow (font size, screen reader, light/dark). A terminal whose EXIT
 * ends the whole lab hands over to the lab session.
 */
import type { Notice } from '../../../wire/protocol.ts';
import { Disposable, listen, toDisposable, type IDisposable } from './disposable.ts';
import type { LabSession } from './lab-session.ts';
import { button, el, type Panel } from './panel.ts';
import type { Prefs } from './session.ts';
import type { LinkState } from './terminal-link.ts';
import { TerminalView } from './terminal-view.ts';
import { onModeChange } from './theme.ts';
import { LAB_ENDING_REASONS, shellEndedMessage } from './words.ts';

interface Pane extends IDisposable {
  view: TerminalView;
  section: HTMLElement;
  tab: HTMLButtonElement;
  state: HTMLElement;
}

export class TerminalPanes extends Disposable {
  private readonly panel: Panel;
  private readonly prefs: Prefs;
  private readonly session: LabSession;
  private readonly panes = new Map<string, Pane>();
  private selected: string | null = null;

  constructor(panel: Panel, prefs: Prefs, session: LabSession) {
    super();
    this.panel = panel;
    this.prefs = prefs;
    this.session = session;
    this.register(toDisposable(() => this.clear()));
    this.register(onModeChange((mode) => this.forEach((view) => view.setMode(mode))));
    // Leaving the terminal with the keyboard (the terminal lets F6 through, terminal-view.ts): F6
    // goes to the terminal's tab, in the panel; Shift+F6 back to where the learner was in the lesson.
    this.register(
      listen<KeyboardEvent>(panel.root, 'keydown', (event) => {
        if (event.key !== 'F6') return;
        event.preventDefault();
        if (event.shiftKey) panel.returnToPage();
        else this.panes.get(this.selected ?? '')?.tab.focus();
      }),
    );
  }

  get names(): string[] {
    return [...this.panes.keys()];
  }

  get hasSelection(): boolean {
    return this.selected !== null;
  }

  view(name: string): TerminalView | undefined {
    return this.panes.get(name)?.view;
  }

  /** The terminal shown (with tabs) or last focused (split): where the key bar's keys go. */
  get selectedView(): TerminalView | undefined {
    return this.view(this.selected ?? '');
  }

  forEach(action: (view: TerminalView) => void): void {
    for (const pane of this.panes.values()) action(pane.view);
  }

  /** Terminal `name` of the current lab, created (and connected) on first use. */
  open(name: string): TerminalView {
    const existing = this.panes.get(name);
    if (existing) return existing.view;
    const id = `lab-term-${name}`;
    const state = el('span', { className: 'lab-pane-state' });
    const holder = el('div', { className: 'lab-pane-term' });
    const section = el('section', { className: 'lab-pane', id, dataset: { term: name } }, el('header', { className: 'lab-pane-bar' }, el('span', { className: 'lab-pane-name' }, name), state), holder);
    section.setAttribute('role', 'tabpanel');
    section.setAttribute('aria-label', `Terminal ${name}`);
    const tab = button(name, () => this.select(name, true), { className: 'lab-tab', role: 'tab', id: `${id}-tab` });
    tab.setAttribute('aria-controls', id);
    const view = new TerminalView({
      name,
      url: () => this.session.terminalUrl(name),
      fontSize: this.prefs.fontSize,
      screenReader: this.prefs.screenReader,
      onState: (s) => this.onState(name, s),
      onNotice: (n) => this.onNotice(n),
      labExists: () => this.session.labExists(),
      onInput: () => this.panel.hideNotice(),
    });
    const dispose = () => {
      view.dispose();
      section.remove();
      tab.remove();
    };
    // In split layout, the terminal the learner clicked or tabbed into becomes the selected one.
    section.addEventListener('focusin', () => this.selected !== name && this.select(name));
    this.panes.set(name, { view, section, tab, state, dispose });
    this.panel.tabs.append(tab);
    this.panel.terminals.append(section);
    view.mount(holder);
    return view;
  }

  select(name: string, focus = false): void {
    this.selected = name;
    for (const [n, p] of this.panes) {
      const on = n === name;
      p.tab.setAttribute('aria-selected', String(on));
      p.tab.tabIndex = on ? 0 : -1;
      p.section.classList.toggle('is-selected', on);
    }
    const view = this.view(name);
    view?.fitNow();
    if (focus) view?.focus();
  }

  /** Stops every terminal of an ended lab; their screens stay readable. */
  stopAll(): void {
    this.forEach((view) => view.link.stop());
  }

  /** Disposes every terminal (a new lab gets new ones). */
  clear(): void {
    for (const pane of this.panes.values()) pane.dispose();
    this.panes.clear();
    this.selected = null;
  }

  private onState(name: string, state: LinkState): void {
    const pane = this.panes.get(name);
    if (!pane || this.session.isEnded) return;
    pane.state.replaceChildren();
    pane.section.dataset.state = state.kind;
    switch (state.kind) {
      case 'connecting':
        pane.state.textContent = 'connecting…';
        break;
      case 'ready':
        this.session.ready(state.info);
        break;
      case 'reconnecting':
        pane.state.textContent = 'reconnecting…';
        this.session.reconnecting();
        break;
      case 'exited': {
        const message = shellEndedMessage(state.exit, this.session.limits);
        if (LAB_ENDING_REASONS.has(state.exit.reason)) void this.onLabEndingExit(pane, state.exit.reason, message);
        else this.shellEnded(pane, message);
        break;
      }
      case 'taken':
        pane.state.append(
          'open in another tab or window ',
          button(
            'Use it here',
            () => {
              pane.view.term.reset();
              pane.view.restart();
            },
            { className: 'lab-inline' },
          ),
        );
        break;
      case 'lab-gone':
        this.session.end(state.reason);
        break;
      case 'failed':
        // The server refused the shell (e.g. the lab's terminal limit): it will not retry by itself.
        pane.state.append(`The shell could not start: ${state.error.message} `, button('Try again', () => pane.view.restart(), { className: 'lab-inline' }));
        break;
    }
  }

  private shellEnded(pane: Pane, message: string): void {
    pane.view.term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
    pane.state.append(`${message} `, button('New shell', () => pane.view.restart(), { className: 'lab-inline' }));
  }

  /** `killed` ends the whole lab (End lab, DELETE) or one terminal left unattached too long: ask. */
  private async onLabEndingExit(pane: Pane, reason: string, message: string): Promise<void> {
    const shellOnly = reason === 'killed' && (await this.session.labExists().catch(() => true));
    if (pane.view.disposed) return; // the page has moved on to another lab meanwhile
    if (shellOnly) this.shellEnded(pane, message);
    else this.session.end(reason);
  }

  private onNotice(notice: Notice): void {
    if (notice.kind !== 'idle-warning') return;
    const keep = button('Keep the lab', () => {
      void this.session.keep();
      this.panel.hideNotice();
    });
    this.panel.showNotice(`Nothing has happened in the lab for a while: it closes in ${notice.secondsLeft} s. `, keep);
  }
}
