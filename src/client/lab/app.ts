/**
 * The live lab on a lesson page, loaded on first use (bootstrap.ts). It puts the parts together
 * and answers the page's buttons: "Open the lab" and Hide, Run (types a command into a terminal)
 * and Edit (opens the editor). The parts: the panel (panel.ts), the lab and its states
 * (lab-session.ts), the terminals (terminal-panes.ts), the bar's buttons (tools.ts) and the editor
 * (editor.ts, loaded when first opened). Each part is owned here and disposed with the app.
 */
import { Disposable, MutableDisposable, type IDisposable } from './disposable.ts';
import type { LabTicket } from '../../../wire/lab-api.ts';
import { interruptToPrompt, SHELL_START_LIMIT_MS, startedWithin } from './interrupt.ts';
import type { FileEditor } from './editor.ts';
import type { PacketsView } from '../microscope/packets-view.ts';
import type { SocketsView } from '../microscope/sockets-view.ts';
import { LabSession } from './lab-session.ts';
import { liveCounts } from './live-objects.ts';
import { Panel } from './panel.ts';
import { loadPrefs, savePanelOpen, savePrefs } from './session.ts';
import { TerminalPanes } from './terminal-panes.ts';
import { addKeyBar } from './key-bar.ts';
import { addTools } from './tools.ts';

export interface PageLab {
  /** The lesson's terminals, from its frontmatter. */
  terminals: string[];
  /** The lab folder the editor lists, e.g. examples/tcp or exercises/tcp-echo. */
  folder: string;
  /** The file "Files" opens first (an exercise's chosen language's main file), or null: the folder's first. */
  mainFile: () => string | null;
  /** The "Open the lab" button, which comes back when the panel is hidden. */
  launcher: HTMLButtonElement | null;
}

export interface RunRequest {
  terminal: string;
  lines: string[];
  /** Other terminals whose programs are stopped first, e.g. the server, to show a client with none. */
  stop: string[];
  /** The pressed button: kept in view while the panel opens and the lesson reflows beside it. */
  origin?: HTMLElement;
}

/**
 * After the layout settles (the panel docked, the lesson reflowed), scrolls `element` to the
 * middle of what the panel leaves visible: a panel docked over the viewport's bottom (phones)
 * counts as margin under the element, so the element does not end up behind it.
 */
function keepInView(element: HTMLElement | undefined, panel: HTMLElement): void {
  if (!element) return;
  requestAnimationFrame(() => {
    const cover = panel.getBoundingClientRect();
    const box = element.getBoundingClientRect();
    const below = !panel.hidden && cover.top > 0 && cover.left < box.right && cover.right > box.left;
    element.style.scrollMarginBottom = below ? `${Math.max(0, window.innerHeight - cover.top)}px` : '';
    element.scrollIntoView({ block: 'center', inline: 'nearest' });
  });
}

class LabApp extends Disposable {
  private readonly page: PageLab;
  private readonly prefs = loadPrefs();
  private readonly panel: Panel;
  private readonly session: LabSession;
  private readonly terminals: TerminalPanes;
  private readonly editor = new MutableDisposable<FileEditor>();
  private editorModule: Promise<typeof import('./editor.ts')> | null = null;
  private readonly sockets = new MutableDisposable<SocketsView>();
  private readonly packets = new MutableDisposable<PacketsView>();

  constructor(page: PageLab) {
    super();
    this.page = page;
    this.panel = this.register(new Panel(this.prefs, () => savePrefs(this.prefs)));
    this.session = this.register(
      new LabSession(this.panel, {
        labChanged: () => this.labChanged(),
        labEnded: () => this.terminals.stopAll(),
        retry: () => void this.open(),
        startOver: () => void this.startOver(),
      }),
    );
    this.terminals = this.register(new TerminalPanes(this.panel, this.prefs, this.session));
    // Registered last, disposed first: the editor and the microscope before the terminals, the session and the panel.
    this.register(this.editor);
    this.register(this.sockets);
    this.register(this.packets);
    addTools(this.panel, this.prefs, this.terminals, {
      files: () => void this.edit(null),
      sockets: () => void this.toggleSockets(),
      packets: () => void this.togglePackets(),
      hide: () => this.hide(),
      endLab: () => void this.session.endByLearner(),
    });
    addKeyBar(this.panel, this.terminals);
  }

  /**
   * Opens the panel and the lesson's terminals, starting a lab if there is none. `focus`: the
   * learner asked for the lab (launcher, skip link), so the keyboard goes into it, then to its
   * terminal once that exists (unless the learner has moved on meanwhile).
   */
  async open(focus = false): Promise<void> {
    this.panel.show(true);
    savePanelOpen(true);
    if (this.page.launcher) this.page.launcher.hidden = true;
    if (focus) this.panel.takeFocus();
    if (this.session.isEnded) return;
    try {
      await this.session.ensure();
    } catch {
      return; // the overlay says why
    }
    this.openTerminals();
    if (focus && document.activeElement === this.panel.root) this.terminals.selectedView?.focus();
  }

  hide(): void {
    this.panel.show(false);
    savePanelOpen(false);
    if (this.page.launcher) {
      this.page.launcher.hidden = false;
      this.page.launcher.textContent = this.session.ticket ? 'Show the lab' : 'Open the lab';
      this.page.launcher.focus();
    }
  }

  /**
   * Stops what runs in the request's terminals (Ctrl-C, then waits for the shell's prompt) and
   * types its commands; types nothing into a program that did not stop.
   */
  async run(request: RunRequest): Promise<void> {
    const opening = this.open();
    keepInView(request.origin, this.panel.root);
    await opening;
    if (!this.session.ticket || this.session.isEnded) return;
    this.terminals.select(request.terminal);
    for (const name of [...request.stop, request.terminal]) {
      const view = this.terminals.open(name);
      // A shell that has not printed its prompt yet may drop what it is sent (bash resets the
      // line as it starts), so wait for the prompt; a shell that could not start gets nothing.
      try {
        await startedWithin(view, SHELL_START_LIMIT_MS);
      } catch (err) {
        if (!this.session.isEnded) this.panel.showNotice(`Not run: ${(err as Error).message}`);
        return;
      }
      if (!(await interruptToPrompt(view))) {
        this.panel.showNotice(`Not run: what runs in terminal "${name}" did not stop on Ctrl-C. Leave it (q, Ctrl-D or exit) and press Run again.`);
        return;
      }
    }
    this.panel.hideNotice();
    const view = this.terminals.open(request.terminal);
    view.type(`${request.lines.join('\r')}\r`);
    view.focus();
    keepInView(request.origin, this.panel.root);
  }

  async edit(path: string | null): Promise<void> {
    await this.open();
    const ticket = this.session.ticket;
    if (!ticket || this.session.isEnded) return;
    const { FileEditor } = await (this.editorModule ??= import('./editor.ts'));
    if (this.editor.value?.ticket !== ticket) this.editor.value = new FileEditor(this.panel.editorSlot, ticket, this.page.folder);
    this.editor.value.open(path ?? this.page.mainFile());
  }

  /** Opens the Sockets view (its code loads on first use), or closes it when it is open. */
  toggleSockets(): Promise<void> {
    return this.toggleView(this.sockets, async (ticket) => {
      const { SocketsView } = await import('../microscope/sockets-view.ts');
      return new SocketsView(this.panel.microscopeSlot, ticket, { asTable: this.prefs.screenReader, close: () => this.sockets.clear() });
    });
  }

  /** Opens the Packets view (its code loads on first use), or closes it when it is open. */
  togglePackets(): Promise<void> {
    return this.toggleView(this.packets, async (ticket) => {
      const { PacketsView } = await import('../microscope/packets-view.ts');
      return new PacketsView(this.panel.microscopeSlot, ticket);
    });
  }

  /** Closes `view` when it is open; else opens the lab if need be and makes the view for it. */
  private async toggleView<T extends IDisposable>(view: MutableDisposable<T>, make: (ticket: LabTicket) => Promise<T>): Promise<void> {
    if (view.value) {
      view.clear();
      return;
    }
    await this.open();
    const ticket = this.session.ticket;
    if (!ticket || this.session.isEnded) return;
    view.value = await make(ticket);
  }

  private openTerminals(): void {
    for (const name of this.page.terminals) this.terminals.open(name);
    if (!this.terminals.hasSelection && this.page.terminals[0]) this.terminals.select(this.page.terminals[0]);
  }

  /** Another lab is the panel's now: the old lab's terminals and editor go, the new one's come. */
  private labChanged(): void {
    this.terminals.clear();
    this.editor.clear();
    this.sockets.clear();
    this.packets.clear();
    if (!this.panel.root.hidden) this.openTerminals();
  }

  private async startOver(): Promise<void> {
    this.terminals.clear();
    this.editor.clear();
    this.sockets.clear();
    this.packets.clear();
    this.session.startOver();
    await this.open();
  }

  /** What tests (and curious learners, in the console) can ask the lab. */
  exposeForTests(): void {
    (window as unknown as { socketLab: unknown }).socketLab = {
      screen: (name: string) => this.terminals.view(name)?.text() ?? null,
      terminals: () => this.terminals.names,
      labId: () => this.session.ticket?.labId ?? null,
      dropConnections: () => this.terminals.forEach((view) => view.link.drop()),
      /** The terminals and editors not garbage-collected yet (collect first, e.g. over CDP). */
      liveObjects: () => liveCounts(),
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
