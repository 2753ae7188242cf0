/**
 * The lab panel's frame: docked beside the lesson (at the bottom on narrow screens), resizable
 * with the mouse or the arrow keys, collapsible, full screen on demand. It holds the terminals,
 * the editor and the messages; what happens inside is app.ts's business.
 */
import { Disposable, listen, toDisposable } from './disposable.ts';
import type { Prefs } from './session.ts';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  if (dataset) Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

export function button(label: string, onClick: () => void, props: Partial<HTMLButtonElement> & { dataset?: Record<string, string> } = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...props }, label);
  b.addEventListener('click', onClick);
  return b;
}

export { el };

// Below this width the lesson (30rem of text), the site's sidebar and a 20rem panel do not fit
// side by side: the panel docks at the bottom (lab.css uses the same width).
const NARROW = '(max-width: 72rem)';

export class Panel extends Disposable {
  readonly root: HTMLElement;
  readonly status: HTMLElement;
  readonly timeLeft: HTMLElement;
  readonly tabs: HTMLElement;
  readonly tools: HTMLElement;
  readonly notice: HTMLElement;
  readonly body: HTMLElement;
  readonly editorSlot: HTMLElement;
  /** Where the microscope's views (src/client/microscope/) show, above the terminals. */
  readonly microscopeSlot: HTMLElement;
  readonly terminals: HTMLElement;
  readonly overlay: HTMLElement;
  private readonly prefs: Prefs;
  private readonly savePrefs: () => void;
  private readonly handle: HTMLElement;
  /** Where the keyboard was in the lesson before it came into the panel (Shift+F6 goes back). */
  private lastOnPage: HTMLElement | null = null;

  constructor(prefs: Prefs, savePrefs: () => void) {
    super();
    this.prefs = prefs;
    this.savePrefs = savePrefs;
    const handle = el('div', { className: 'lab-resize', role: 'separator', tabIndex: 0, title: 'Drag (or use the arrow keys) to resize the lab' });
    handle.setAttribute('aria-label', 'Resize the lab panel');
    handle.setAttribute('aria-valuemin', '0');
    handle.setAttribute('aria-valuemax', '100');
    this.handle = handle;
    this.status = el('span', { className: 'lab-status', role: 'status' }, 'Starting…');
    this.timeLeft = el('span', { className: 'lab-time' });
    this.tabs = el('div', { className: 'lab-tabs', role: 'tablist' });
    this.tabs.setAttribute('aria-label', 'Terminals');
    const keysHint = el('p', { className: 'lab-keys-hint' }, el('kbd', {}, 'F6'), ': leave the terminal');
    this.tools = el('div', { className: 'lab-tools' });
    this.notice = el('div', { className: 'lab-notice', role: 'alert', hidden: true });
    this.editorSlot = el('div', { className: 'lab-editor-slot', hidden: true });
    this.microscopeSlot = el('div', { className: 'lab-microscope-slot', hidden: true });
    this.terminals = el('div', { className: 'lab-terminals' });
    this.body = el('div', { className: 'lab-body' }, this.editorSlot, this.microscopeSlot, this.terminals);
    this.overlay = el('div', { className: 'lab-overlay', hidden: true, role: 'alertdialog' });
    this.root = el(
      'aside',
      { className: 'lab-panel', id: 'lab-panel', hidden: true },
      handle,
      el('header', { className: 'lab-bar' }, el('strong', { className: 'lab-title' }, 'Lab'), this.status, this.timeLeft, this.tools),
      el('div', { className: 'lab-tabs-row' }, this.tabs, keysHint),
      this.notice,
      this.body,
      this.overlay,
    );
    this.root.setAttribute('aria-label', 'Live lab');
    this.root.tabIndex = -1; // focus lands on the panel itself while its terminals start
    this.root.dataset.layout = prefs.layout;
    document.body.append(this.root);
    this.register(
      toDisposable(() => {
        this.root.remove();
        document.documentElement.classList.remove('lab-open', 'lab-full-open');
      }),
    );
    // The slot shows while it holds a view (Sockets, Packets or both), whichever view comes or goes.
    const slotWatch = new MutationObserver(() => (this.microscopeSlot.hidden = this.microscopeSlot.childElementCount === 0));
    slotWatch.observe(this.microscopeSlot, { childList: true });
    this.register(toDisposable(() => slotWatch.disconnect()));
    this.makeResizable(handle);
    this.applySize();
    this.register(listen(matchMedia(NARROW), 'change', () => this.applySize()));
    this.register(
      listen<FocusEvent>(document, 'focusin', (event) => {
        if (event.target instanceof HTMLElement && !this.root.contains(event.target)) this.lastOnPage = event.target;
      }),
    );
  }

  /** Back to where the learner was in the lesson (or the lesson's start). */
  returnToPage(): void {
    const last = this.lastOnPage;
    if (last?.isConnected && last.checkVisibility()) return last.focus();
    const main = document.querySelector<HTMLElement>('main');
    if (!main) return;
    main.tabIndex = -1; // focusable by script only: reading starts there
    main.focus();
  }

  /** Moves the keyboard into the panel (when the learner opened it, not when a page restores it). */
  takeFocus(): void {
    if (!this.root.contains(document.activeElement)) this.root.focus();
  }

  get narrow(): boolean {
    return matchMedia(NARROW).matches;
  }

  show(open: boolean): void {
    this.root.hidden = !open;
    document.documentElement.classList.toggle('lab-open', open);
  }

  setLayout(layout: Prefs['layout']): void {
    this.prefs.layout = layout;
    this.root.dataset.layout = layout;
    this.savePrefs();
  }

  toggleFullscreen(): boolean {
    const full = !this.root.classList.contains('lab-full');
    this.root.classList.toggle('lab-full', full);
    document.documentElement.classList.toggle('lab-full-open', full);
    return full;
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  showNotice(...content: (string | Node)[]): void {
    this.notice.replaceChildren(...content);
    this.notice.hidden = false;
  }

  hideNotice(): void {
    this.notice.hidden = true;
  }

  /** Shows a message over the terminals with actions (lab ended, capacity full), and `detail` between them; null hides it. */
  showOverlay(message: string | null, actions: HTMLButtonElement[] = [], detail?: HTMLElement): void {
    this.overlay.replaceChildren();
    this.overlay.hidden = message === null;
    if (message === null) return;
    this.overlay.append(el('p', {}, message), ...(detail ? [detail] : []), el('div', { className: 'lab-overlay-actions' }, ...actions));
    actions[0]?.focus();
  }

  private applySize(): void {
    const style = document.documentElement.style;
    style.setProperty('--lab-width', `${Math.round(this.prefs.width)}px`);
    style.setProperty('--lab-height', `${Math.round(this.prefs.height)}px`);
    // A focusable separator announces its position: the panel's share of the window, in percent.
    const share = this.narrow ? this.prefs.height / innerHeight : this.prefs.width / innerWidth;
    this.handle.setAttribute('aria-valuenow', String(Math.round(share * 100)));
  }

  private resizeBy(delta: number): void {
    if (this.narrow) this.prefs.height = clamp(this.prefs.height + delta, 160, innerHeight - 80);
    else this.prefs.width = clamp(this.prefs.width + delta, 320, innerWidth - 240);
    this.applySize();
  }

  private makeResizable(handle: HTMLElement): void {
    handle.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      handle.setPointerCapture(down.pointerId);
      let last = this.narrow ? down.clientY : down.clientX;
      const move = (event: PointerEvent) => {
        const now = this.narrow ? event.clientY : event.clientX;
        this.resizeBy(last - now); // the panel grows towards the top / the left
        last = now;
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        this.savePrefs();
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up, { once: true });
    });
    handle.addEventListener('keydown', (event) => {
      const grow = this.narrow ? 'ArrowUp' : 'ArrowLeft';
      const shrink = this.narrow ? 'ArrowDown' : 'ArrowRight';
      if (event.key !== grow && event.key !== shrink) return;
      event.preventDefault();
      this.resizeBy(event.key === grow ? 40 : -40);
      this.savePrefs();
    });
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
