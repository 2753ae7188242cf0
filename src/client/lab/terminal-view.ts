/**
 * One terminal on screen: an xterm.js instance (fit, web-links and unicode addons, WebGL when the
 * browser has it) wired to a TerminalLink. Output is written as bytes and acknowledged once xterm
 * has parsed it, which is what keeps a `yes` flood from freezing the tab.
 */
import { Terminal, type ITerminalAddon } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { TerminalLink, type LinkHandlers, type LinkState } from './terminal-link.ts';
import { Disposable, toDisposable } from './disposable.ts';
import { trackLive } from './live-objects.ts';
import { currentMode, TERMINAL_THEMES, type Mode } from './theme.ts';
import { loadWebglRenderer } from './webgl-renderer.ts';

const encoder = new TextEncoder();

export interface TerminalViewOptions {
  name: string;
  url: LinkHandlers['url'];
  fontSize: number;
  screenReader: boolean;
  onState: (state: LinkState) => void;
  onNotice: LinkHandlers['onNotice'];
  labExists: LinkHandlers['labExists'];
  /** Called on every keystroke, e.g. to hide the idle warning. */
  onInput: () => void;
}

/** Settles once per shell: resolved by its first output, rejected if it fails before any. */
class ShellStart {
  readonly promise: Promise<void>;
  settled = false;
  private settle!: (error: Error | null) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.settle = (error) => {
        this.settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    this.promise.catch(() => {}); // a failure nobody waits for is shown on the pane, not logged
  }

  resolve(): void {
    if (!this.settled) this.settle(null);
  }

  reject(message: string): void {
    if (!this.settled) this.settle(new Error(message));
  }
}

export class TerminalView extends Disposable {
  readonly name: string;
  readonly element: HTMLElement;
  readonly term: Terminal;
  readonly link: TerminalLink;
  private readonly fit: FitAddon;
  private shellStart = new ShellStart();

  constructor(options: TerminalViewOptions) {
    super();
    this.name = options.name;
    this.element = document.createElement('div');
    this.element.className = 'lab-term';
    this.element.dataset.renderer = 'dom';
    this.register(toDisposable(() => this.element.remove()));
    // Whoever still waits for this shell (a Run) hears that it will not come, and lets go of us.
    this.register(toDisposable(() => this.shellStart.reject('The terminal was closed.')));
    this.term = this.register(
      new Terminal({
        fontSize: options.fontSize,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
        scrollback: 10_000,
        screenReaderMode: options.screenReader,
        allowProposedApi: true, // the unicode11 addon uses the proposed `unicode` API
        theme: TERMINAL_THEMES[currentMode()],
        cursorBlink: true,
      }),
    );
    trackLive('terminals', this.term);
    this.fit = this.loadAddon(new FitAddon());
    this.loadAddon(new WebLinksAddon());
    this.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';

    this.link = new TerminalLink({
      url: options.url,
      onOutput: (data, rendered) => {
        this.shellStart.resolve();
        this.term.write(data, rendered);
      },
      onState: (state) => {
        if (this.disposed) return; // a terminal the page is done with has nothing more to say
        this.noteStartFailure(state);
        options.onState(state);
      },
      onNotice: options.onNotice,
      labExists: options.labExists,
    });
    this.register(toDisposable(() => this.link.stop()));
    this.register(
      this.term.onData((text) => {
        options.onInput();
        this.link.send(encoder.encode(text));
      }),
    );
    // Keys xterm must leave to the page: F6 (any modifiers) is the way out of the terminal, since
    // Tab belongs to the shell (WCAG 2.1.2); xterm would send it to the shell as `~`. And with text
    // selected, Ctrl-C copies it (the browser's copy, which xterm fills with the selection)
    // instead of interrupting the program; with nothing selected it is ^C as ever.
    this.term.attachCustomKeyEventHandler((event) => !(event.key === 'F6' || (event.type === 'keydown' && event.ctrlKey && !event.shiftKey && event.key === 'c' && this.term.hasSelection())));
    this.register(this.term.onBinary((bytes) => this.link.send(Uint8Array.from(bytes, (c) => c.charCodeAt(0)))));
    this.register(this.term.onResize(({ cols, rows }) => this.link.resize(cols, rows)));
    const resizeObserver = new ResizeObserver(() => this.fitNow());
    resizeObserver.observe(this.element);
    this.register(toDisposable(() => resizeObserver.disconnect()));
  }

  /** Loads an addon that this view owns (xterm would dispose it with the terminal; we say so). */
  private loadAddon<T extends ITerminalAddon>(addon: T): T {
    this.term.loadAddon(addon);
    return this.register(addon);
  }

  /**
   * Resolves once the shell has printed something (its prompt): it reads input from then on.
   * Rejects, saying why in words, when it failed before that (refused, lab gone, exited, closed).
   */
  get started(): Promise<void> {
    return this.shellStart.promise;
  }

  private noteStartFailure(state: LinkState): void {
    if (state.kind === 'failed') this.shellStart.reject(state.error.message);
    else if (state.kind === 'lab-gone') this.shellStart.reject('The lab no longer exists.');
    else if (state.kind === 'exited') this.shellStart.reject('The shell ended before it printed its prompt.');
  }

  /** A new shell (or the same one taken back from another tab): it starts again. */
  restart(): void {
    if (this.shellStart.settled) this.shellStart = new ShellStart();
    this.link.restart();
  }

  /** Puts the terminal into the page (xterm needs to be in the DOM to measure) and connects. */
  mount(parent: HTMLElement): void {
    parent.append(this.element);
    this.term.open(this.element);
    this.term.textarea?.setAttribute('aria-label', `Terminal ${this.name}: type commands here; F6 leaves the terminal`);
    void this.loadWebgl();
    this.fitNow();
    this.link.resize(this.term.cols, this.term.rows);
    this.link.connect();
  }

  /** The WebGL renderer, faster for floods, when the browser has it and it shows text. */
  private async loadWebgl(): Promise<void> {
    try {
      const renderer = await loadWebglRenderer(this.term, (kind, why) => {
        this.element.dataset.renderer = kind;
        if (why) console.info(`Terminal ${this.name}: ${why}; using the DOM renderer.`);
      });
      if (renderer && this.disposed) renderer.dispose();
      else if (renderer) this.register(renderer);
    } catch {
      // keep the DOM renderer
    }
  }

  fitNow(): void {
    if (this.element.offsetWidth > 0 && this.element.offsetHeight > 0) this.fit.fit();
  }

  /** Types `text` as if the learner had: the shell cannot tell the difference. */
  type(text: string): void {
    this.link.send(encoder.encode(text));
  }

  setFontSize(size: number): void {
    this.term.options.fontSize = size;
    this.fitNow();
  }

  setScreenReader(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  setMode(mode: Mode): void {
    this.term.options.theme = TERMINAL_THEMES[mode];
  }

  focus(): void {
    this.term.focus();
  }

  /** Sends `text` as if typed at the keyboard (the key bar's Ctrl-C, arrows…). */
  press(text: string): void {
    this.term.input(text, true);
  }

  /** The arrow keys' bytes: programs that asked for application cursor keys (less, vim) get SS3. */
  get arrowPrefix(): string {
    return this.term.modes.applicationCursorKeysMode ? '\x1bO' : '\x1b[';
  }

  /** The screen and scrollback as text, one line per row (what tests read). */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      const text = line?.translateToString(true) ?? '';
      // A long line wrapped onto several rows is still one line.
      if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines.join('\n');
  }
}
