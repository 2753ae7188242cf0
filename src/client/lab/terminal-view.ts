/**
 * One terminal on screen: an xterm.js instance (fit, web-links and unicode addons, WebGL when the
 * browser has it) wired to a TerminalLink. Output is written as bytes and acknowledged once xterm
 * has parsed it, which is what keeps a `yes` flood from freezing the tab.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { TerminalLink, type LinkHandlers, type LinkState } from './terminal-link.ts';
import { currentMode, TERMINAL_THEMES, type Mode } from './theme.ts';

const encoder = new TextEncoder();

export interface TerminalViewOptions {
  name: string;
  url: string;
  fontSize: number;
  screenReader: boolean;
  onState: (state: LinkState) => void;
  onNotice: LinkHandlers['onNotice'];
  labExists: LinkHandlers['labExists'];
  /** Called on every keystroke, e.g. to hide the idle warning. */
  onInput: () => void;
}

export class TerminalView {
  readonly name: string;
  readonly element: HTMLElement;
  readonly term: Terminal;
  readonly link: TerminalLink;
  private readonly fit = new FitAddon();
  private resizeObserver: ResizeObserver;
  private markStarted: () => void = () => {};
  /** Resolves once the shell has printed something (its prompt): it reads input from then on. */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(options: TerminalViewOptions) {
    this.name = options.name;
    this.element = document.createElement('div');
    this.element.className = 'lab-term';
    this.term = new Terminal({
      fontSize: options.fontSize,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      scrollback: 10_000,
      screenReaderMode: options.screenReader,
      allowProposedApi: true, // the unicode11 addon uses the proposed `unicode` API
      theme: TERMINAL_THEMES[currentMode()],
      cursorBlink: true,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';

    this.link = new TerminalLink(options.url, {
      onOutput: (data, rendered) => {
        this.markStarted();
        this.term.write(data, rendered);
      },
      onState: options.onState,
      onNotice: options.onNotice,
      labExists: options.labExists,
    });
    this.term.onData((text) => {
      options.onInput();
      this.link.send(encoder.encode(text));
    });
    // With text selected, Ctrl-C copies it (the browser's copy, which xterm fills with the
    // selection) instead of interrupting the program; with nothing selected it is ^C as ever.
    this.term.attachCustomKeyEventHandler((event) => !(event.type === 'keydown' && event.ctrlKey && !event.shiftKey && event.key === 'c' && this.term.hasSelection()));
    this.term.onBinary((bytes) => this.link.send(Uint8Array.from(bytes, (c) => c.charCodeAt(0))));
    this.term.onResize(({ cols, rows }) => this.link.resize(cols, rows));
    this.resizeObserver = new ResizeObserver(() => this.fitNow());
  }

  /** Puts the terminal into the page (xterm needs to be in the DOM to measure) and connects. */
  mount(parent: HTMLElement): void {
    parent.append(this.element);
    this.term.open(this.element);
    this.term.textarea?.setAttribute('aria-label', `Terminal ${this.name}: type commands here`);
    void this.loadWebgl();
    this.resizeObserver.observe(this.element);
    this.fitNow();
    this.link.resize(this.term.cols, this.term.rows);
    this.link.connect();
  }

  /** The WebGL renderer is much faster for floods; it is optional (no GPU, lost contexts). */
  private async loadWebgl(): Promise<void> {
    try {
      const probe = document.createElement('canvas').getContext('webgl2');
      if (!probe) return;
      const { WebglAddon } = await import('@xterm/addon-webgl');
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose());
      this.term.loadAddon(webgl);
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

  dispose(): void {
    this.resizeObserver.disconnect();
    this.link.stop();
    this.term.dispose();
    this.element.remove();
  }
}
