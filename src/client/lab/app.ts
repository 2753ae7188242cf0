/**
 * The live lab on a lesson page, loaded on first use (bootstrap.ts): starts or rejoins the lab,
 * opens the lesson's terminals in the panel, types Run commands into them, opens the editor, and
 * tells the learner in plain words what state the lab is in.
 */
import type { LabLimits, LabTicket } from '../../../wire/lab-api.ts';
import type { Notice } from '../../../wire/protocol.ts';
import { checkLab, endLab, LabApiError, startLab } from './api.ts';
import { button, el, Panel } from './panel.ts';
import { loadPrefs, savedTicket, savePanelOpen, savePrefs, saveTicket } from './session.ts';
import type { LinkState } from './terminal-link.ts';
import { TerminalView } from './terminal-view.ts';
import { onModeChange } from './theme.ts';
import { LAB_ENDING_REASONS, labEndedMessage, shellEndedMessage, timeLeft } from './words.ts';

export interface PageLab {
  /** The lesson's terminals, from its frontmatter. */
  terminals: string[];
  /** The lab folder the editor lists, e.g. examples/tcp or exercises/tcp-echo. */
  folder: string;
  /** The "Open the lab" button, which comes back when the panel is hidden. */
  launcher: HTMLButtonElement | null;
}

export interface RunRequest {
  terminal: string;
  lines: string[];
  /** Press Ctrl-C first, e.g. to stop the server still running in that terminal. */
  interrupt: boolean;
}

interface Pane {
  view: TerminalView;
  section: HTMLElement;
  tab: HTMLButtonElement;
  state: HTMLElement;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class LabApp {
  private readonly page: PageLab;
  private readonly prefs = loadPrefs();
  private readonly panel: Panel;
  private readonly panes = new Map<string, Pane>();
  private ticket: LabTicket | null = savedTicket();
  private starting: Promise<LabTicket> | null = null;
  private limits: LabLimits | null = this.ticket?.limits ?? null;
  private ended = false;
  /** The remembered ticket has been checked against the server. */
  private verified = false;
  /** The remembered lab had ended, so the learner gets a new one: say so once. */
  private restartedNote = false;
  private selected: string | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private editor: Promise<typeof import('./editor.ts')> | null = null;
  private readonly fullscreenButton: HTMLButtonElement;
  private readonly layoutButton: HTMLButtonElement;
  private readonly readerButton: HTMLButtonElement;

  constructor(page: PageLab) {
    this.page = page;
    this.panel = new Panel(this.prefs, () => savePrefs(this.prefs));
    this.layoutButton = button('', () => this.toggleLayout(), { className: 'lab-tool' });
    this.readerButton = button('Screen reader', () => this.toggleScreenReader(), { className: 'lab-tool', title: 'Screen reader mode: terminal output is read out' });
    this.fullscreenButton = button('Full screen', () => this.toggleFullscreen(), { className: 'lab-tool' });
    this.panel.tools.append(
      button('Files', () => void this.edit(null), { className: 'lab-tool', title: 'Open the editor on this page\'s files in the lab' }),
      this.layoutButton,
      button('A−', () => this.setFontSize(this.prefs.fontSize - 1), { className: 'lab-tool', title: 'Smaller terminal text', ariaLabel: 'A− (smaller terminal text)' }),
      button('A+', () => this.setFontSize(this.prefs.fontSize + 1), { className: 'lab-tool', title: 'Larger terminal text', ariaLabel: 'A+ (larger terminal text)' }),
      this.readerButton,
      this.fullscreenButton,
      button('Hide', () => this.hide(), { className: 'lab-tool', title: 'Hide the panel; the lab keeps running' }),
      button('End lab', () => void this.endByLearner(), { className: 'lab-tool lab-danger', title: 'Stop every program and remove the lab' }),
    );
    this.updateToolLabels();
    onModeChange((mode) => this.panes.forEach((p) => p.view.setMode(mode)));
    // Leaving the terminal with the keyboard: xterm keeps Tab for the shell, so F6 jumps to the tabs.
    this.panel.root.addEventListener('keydown', (event) => {
      if (event.key === 'F6') {
        event.preventDefault();
        this.panes.get(this.selected ?? '')?.tab.focus();
      }
    });
  }

  /** Opens the panel and the lesson's terminals, starting a lab if there is none. */
  async open(): Promise<void> {
    this.panel.show(true);
    savePanelOpen(true);
    if (this.page.launcher) this.page.launcher.hidden = true;
    if (this.ended) return;
    try {
      await this.ensureLab();
    } catch {
      return; // the overlay says why
    }
    for (const name of this.page.terminals) this.pane(name);
    if (!this.selected && this.page.terminals[0]) this.select(this.page.terminals[0]);
  }

  hide(): void {
    this.panel.show(false);
    savePanelOpen(false);
    if (this.page.launcher) {
      this.page.launcher.hidden = false;
      this.page.launcher.textContent = this.ticket ? 'Show the lab' : 'Open the lab';
      this.page.launcher.focus();
    }
  }

  async run(request: RunRequest): Promise<void> {
    await this.open();
    if (!this.ticket || this.ended) return;
    const { view } = this.pane(request.terminal);
    this.select(request.terminal);
    // A shell that has not printed its prompt yet may drop what it is sent (bash resets the line
    // as it starts), so wait for the prompt.
    await view.started;
    if (request.interrupt) {
      view.type('\x03');
      // SIGINT flushes the terminal's input queue: let the old program die before typing.
      await sleep(150);
    }
    view.type(`${request.lines.join('\r')}\r`);
    view.focus();
  }

  async edit(path: string | null): Promise<void> {
    await this.open();
    if (!this.ticket || this.ended) return;
    const { FileEditor } = await (this.editor ??= import('./editor.ts'));
    FileEditor.show(this.panel.editorSlot, { ticket: this.ticket, folder: this.page.folder, path });
  }

  private async ensureLab(): Promise<LabTicket> {
    if (this.ticket && !this.verified) {
      // A lab remembered from an earlier page may have ended meanwhile (idle, time limit, restart).
      this.verified = true;
      if (!(await this.labExists().catch(() => true))) {
        this.ticket = null;
        saveTicket(null);
        this.restartedNote = true;
      }
    }
    if (this.ticket) {
      this.startClock();
      return this.ticket;
    }
    this.starting ??= (async () => {
      this.setStatus('Starting a lab…');
      this.panel.showOverlay(null);
      try {
        const ticket = await startLab();
        this.ticket = ticket;
        this.limits = ticket.limits;
        saveTicket(ticket);
        this.verified = true;
        this.startClock();
        if (this.restartedNote) {
          this.restartedNote = false;
          this.showNotice('Your earlier lab had ended, so this is a new one: files you changed there are gone.');
        }
        return ticket;
      } catch (err) {
        this.showStartFailure(err);
        throw err;
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  private showStartFailure(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.setStatus('No lab');
    if (err instanceof LabApiError && (err.capacity || err.status === 0)) {
      // Capacity frees up as other labs end: offer a retry, and retry on our own after a while.
      let seconds = 20;
      const retry = button(`Try again (${seconds} s)`, () => void this.retryStart(timer));
      const timer = setInterval(() => {
        seconds -= 1;
        retry.textContent = `Try again (${seconds} s)`;
        if (seconds <= 0) void this.retryStart(timer);
      }, 1000);
      this.panel.showOverlay(`${message}`, [retry]);
    } else {
      this.panel.showOverlay(`The lab could not start: ${message}`, [button('Try again', () => void this.open())]);
    }
  }

  private async retryStart(timer: ReturnType<typeof setInterval>): Promise<void> {
    clearInterval(timer);
    await this.open();
  }

  private termUrl(name: string): string {
    const ticket = this.ticket!;
    return `/api/labs/${encodeURIComponent(ticket.labId)}/terminals/${encodeURIComponent(name)}?token=${encodeURIComponent(ticket.token)}`;
  }

  /** The pane of terminal `name`, created (and connected) on first use. */
  private pane(name: string): Pane {
    const existing = this.panes.get(name);
    if (existing) return existing;
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
      url: this.termUrl(name),
      fontSize: this.prefs.fontSize,
      screenReader: this.prefs.screenReader,
      onState: (s) => this.onTerminalState(name, s),
      onNotice: (n) => this.onNotice(n),
      labExists: () => this.labExists(),
      onInput: () => this.hideNotice(),
    });
    const pane: Pane = { view, section, tab, state };
    this.panes.set(name, pane);
    this.panel.tabs.append(tab);
    this.panel.terminals.append(section);
    view.mount(holder);
    return pane;
  }

  private select(name: string, focus = false): void {
    this.selected = name;
    for (const [n, p] of this.panes) {
      const on = n === name;
      p.tab.setAttribute('aria-selected', String(on));
      p.tab.tabIndex = on ? 0 : -1;
      p.section.classList.toggle('is-selected', on);
    }
    const pane = this.panes.get(name);
    pane?.view.fitNow();
    if (focus) pane?.view.focus();
  }

  private async labExists(): Promise<boolean> {
    if (!this.ticket) return false;
    try {
      await checkLab(this.ticket);
      return true;
    } catch (err) {
      if (err instanceof LabApiError && err.labGone) return false;
      throw err;
    }
  }

  private onTerminalState(name: string, state: LinkState): void {
    const pane = this.panes.get(name);
    if (!pane || this.ended) return;
    pane.state.replaceChildren();
    pane.section.dataset.state = state.kind;
    switch (state.kind) {
      case 'connecting':
        pane.state.textContent = 'connecting…';
        break;
      case 'ready':
        this.limits = state.info.limits;
        if (this.ticket) this.ticket.expiresAt = state.info.expiresAt;
        this.setStatus('Ready');
        this.tick();
        break;
      case 'reconnecting':
        pane.state.textContent = 'reconnecting…';
        this.setStatus('Reconnecting…');
        break;
      case 'exited':
        if (LAB_ENDING_REASONS.has(state.exit.reason)) void this.onLabEndingExit(name, state.exit.reason, shellEndedMessage(state.exit, this.limits));
        else this.shellEnded(pane, shellEndedMessage(state.exit, this.limits));
        break;
      case 'taken':
        pane.state.append('open in another tab or window ', button('Use it here', () => {
          pane.view.term.reset();
          pane.view.link.restart();
        }, { className: 'lab-inline' }));
        break;
      case 'lab-gone':
        this.labEnded('gone');
        break;
      case 'failed':
        pane.state.textContent = state.error.message;
        break;
    }
  }

  private shellEnded(pane: Pane, message: string): void {
    pane.view.term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
    pane.state.append(`${message} `, button('New shell', () => pane.view.link.restart(), { className: 'lab-inline' }));
  }

  /** `killed` ends the whole lab (End lab, DELETE) or one terminal left unattached too long: ask. */
  private async onLabEndingExit(name: string, reason: string, message: string): Promise<void> {
    if (reason === 'killed') {
      const exists = await this.labExists().catch(() => true);
      if (exists) return this.shellEnded(this.panes.get(name)!, message);
    }
    this.labEnded(reason);
  }

  private labEnded(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.ticket = null;
    saveTicket(null);
    if (this.clock) clearInterval(this.clock);
    this.panel.timeLeft.textContent = '';
    this.hideNotice();
    for (const pane of this.panes.values()) pane.view.link.stop();
    this.setStatus('Ended');
    this.panel.showOverlay(labEndedMessage(reason, this.limits), [button('Start a new lab', () => void this.startOver())]);
  }

  private async startOver(): Promise<void> {
    for (const pane of this.panes.values()) {
      pane.view.dispose();
      pane.section.remove();
      pane.tab.remove();
    }
    this.panes.clear();
    this.selected = null;
    this.ended = false;
    this.panel.editorSlot.hidden = true;
    this.panel.editorSlot.replaceChildren();
    this.panel.showOverlay(null);
    await this.open();
  }

  private async endByLearner(): Promise<void> {
    const ticket = this.ticket;
    if (!ticket) return;
    try {
      await endLab(ticket);
    } catch {
      // already gone: the result is the same
    }
    this.labEnded('killed');
  }

  private onNotice(notice: Notice): void {
    if (notice.kind !== 'idle-warning') return;
    const keep = button('Keep the lab', () => {
      for (const pane of this.panes.values()) pane.view.type('');
      this.hideNotice();
    });
    this.showNotice(`Nothing has happened in the lab for a while: it closes in ${notice.secondsLeft} s. `, keep);
  }

  private showNotice(...content: (string | Node)[]): void {
    this.panel.notice.replaceChildren(...content);
    this.panel.notice.hidden = false;
  }

  private hideNotice(): void {
    this.panel.notice.hidden = true;
  }

  private setStatus(text: string): void {
    this.panel.status.textContent = text;
  }

  private startClock(): void {
    this.tick();
    this.clock ??= setInterval(() => this.tick(), 15_000);
  }

  private tick(): void {
    if (!this.ticket) return;
    this.panel.timeLeft.textContent = timeLeft(this.ticket.expiresAt);
    this.panel.timeLeft.title = `The lab ends at ${new Date(this.ticket.expiresAt).toLocaleTimeString()} at the latest.`;
  }

  private setFontSize(size: number): void {
    this.prefs.fontSize = Math.max(10, Math.min(28, size));
    savePrefs(this.prefs);
    this.panes.forEach((p) => p.view.setFontSize(this.prefs.fontSize));
  }

  private toggleLayout(): void {
    this.panel.setLayout(this.prefs.layout === 'split' ? 'tabs' : 'split');
    this.updateToolLabels();
    requestAnimationFrame(() => this.panes.forEach((p) => p.view.fitNow()));
  }

  private toggleScreenReader(): void {
    this.prefs.screenReader = !this.prefs.screenReader;
    savePrefs(this.prefs);
    this.panes.forEach((p) => p.view.setScreenReader(this.prefs.screenReader));
    this.updateToolLabels();
  }

  private toggleFullscreen(): void {
    this.fullscreenButton.setAttribute('aria-pressed', String(this.panel.toggleFullscreen()));
    requestAnimationFrame(() => this.panes.forEach((p) => p.view.fitNow()));
  }

  private updateToolLabels(): void {
    this.layoutButton.textContent = this.prefs.layout === 'split' ? 'Tabs' : 'Split';
    this.layoutButton.title = this.prefs.layout === 'split' ? 'Show one terminal at a time' : 'Show every terminal at once';
    this.readerButton.setAttribute('aria-pressed', String(this.prefs.screenReader));
  }

  /** What tests (and curious learners, in the console) can ask the lab. */
  exposeForTests(): void {
    (window as unknown as { socketLab: unknown }).socketLab = {
      screen: (name: string) => this.panes.get(name)?.view.text() ?? null,
      terminals: () => [...this.panes.keys()],
      labId: () => this.ticket?.labId ?? null,
      dropConnections: () => this.panes.forEach((p) => p.view.link.drop()),
    };
  }
}

let app: LabApp | null = null;

export function labApp(page: PageLab): LabApp {
  if (!app) {
    app = new LabApp(page);
    app.exposeForTests();
  }
  return app;
}
