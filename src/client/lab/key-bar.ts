/**
 * The keys a phone's keyboard lacks (Ctrl-C, Ctrl-D, Tab, Esc, the arrows), in a row under the
 * terminals as mobile terminal apps have them; lab.css shows it on touch screens only. A key
 * sends its bytes to the selected terminal's shell as if typed, and the keyboard stays there.
 */
import { button, el, type Panel } from './panel.ts';
import type { TerminalPanes } from './terminal-panes.ts';

interface Key {
  label: string;
  title: string;
  /** The bytes, given the terminal's arrow prefix (CSI, or SS3 in application cursor mode). */
  bytes: (arrow: string) => string;
  /** For the arrows, whose visible label is a symbol. */
  ariaLabel?: string;
}

const KEYS: Key[] = [
  { label: 'Ctrl-C', title: 'Interrupt the running program', bytes: () => '\x03' },
  { label: 'Ctrl-D', title: 'End of input', bytes: () => '\x04' },
  { label: 'Tab', title: 'Tab (completes names)', bytes: () => '\t' },
  { label: 'Esc', title: 'Escape', bytes: () => '\x1b' },
  { label: '←', title: 'Left arrow', ariaLabel: 'Left arrow', bytes: (arrow) => `${arrow}D` },
  { label: '↑', title: 'Up arrow (previous command)', ariaLabel: 'Up arrow', bytes: (arrow) => `${arrow}A` },
  { label: '↓', title: 'Down arrow', ariaLabel: 'Down arrow', bytes: (arrow) => `${arrow}B` },
  { label: '→', title: 'Right arrow', ariaLabel: 'Right arrow', bytes: (arrow) => `${arrow}C` },
];

export function addKeyBar(panel: Panel, terminals: TerminalPanes): void {
  const bar = el('div', { className: 'lab-key-bar', role: 'toolbar' });
  bar.setAttribute('aria-label', 'Keys for the terminal');
  for (const key of KEYS) {
    const press = () => {
      const view = terminals.selectedView;
      if (!view) return;
      view.press(key.bytes(view.arrowPrefix));
      view.focus();
    };
    const b = button(key.label, press, { className: 'lab-key', title: key.title });
    if (key.ariaLabel) b.setAttribute('aria-label', key.ariaLabel);
    // A tap must not take the focus from the terminal: the phone's keyboard would close.
    b.addEventListener('pointerdown', (event) => event.preventDefault());
    bar.append(b);
  }
  panel.body.after(bar);
}
