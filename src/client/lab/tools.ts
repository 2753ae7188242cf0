/**
 * The buttons in the panel's bar: Files, Sockets, Packets, Hide, and Tabs/Split, A− / A+, Screen reader, Full
 * screen, End lab (behind "More" on a phone). The display settings are remembered (session.ts)
 * and applied to every terminal.
 */
import { button, el, type Panel } from './panel.ts';
import { savePrefs, type Prefs } from './session.ts';
import type { TerminalPanes } from './terminal-panes.ts';

export interface ToolActions {
  files(): void;
  /** Opens or closes the Sockets view. */
  sockets(): void;
  /** Opens or closes the Packets view. */
  packets(): void;
  hide(): void;
  endLab(): void;
}

export function addTools(panel: Panel, prefs: Prefs, terminals: TerminalPanes, actions: ToolActions): void {
  const refit = () => requestAnimationFrame(() => terminals.forEach((view) => view.fitNow()));
  const toggleLayout = () => {
    panel.setLayout(prefs.layout === 'split' ? 'tabs' : 'split');
    showSettings();
    refit();
  };
  const toggleScreenReader = () => {
    prefs.screenReader = !prefs.screenReader;
    savePrefs(prefs);
    terminals.forEach((view) => view.setScreenReader(prefs.screenReader));
    showSettings();
  };
  const toggleFullscreen = () => {
    fullscreen.setAttribute('aria-pressed', String(panel.toggleFullscreen()));
    refit();
  };
  const setFontSize = (size: number) => {
    prefs.fontSize = Math.max(10, Math.min(28, size));
    savePrefs(prefs);
    terminals.forEach((view) => view.setFontSize(prefs.fontSize));
  };
  const layout = button('', toggleLayout, { className: 'lab-tool lab-layout-tool' });
  const reader = button('Screen reader', toggleScreenReader, { className: 'lab-tool', title: 'Screen reader mode: terminal output is read out' });
  const fullscreen = button('Full screen', toggleFullscreen, { className: 'lab-tool' });
  const showSettings = () => {
    layout.textContent = prefs.layout === 'split' ? 'Tabs' : 'Split';
    layout.title = prefs.layout === 'split' ? 'Show one terminal at a time' : 'Show every terminal at once';
    reader.setAttribute('aria-pressed', String(prefs.screenReader));
  };
  // On a phone the bar keeps one row: Files, Hide and "More", which opens the rest (the microscope's
  // Sockets and Packets first) as a menu
  // (lab.css; on wider screens the menu's buttons sit in the bar and "More" is not shown).
  const menu = el(
    'div',
    { className: 'lab-menu', id: 'lab-more-menu' },
    button('Sockets', actions.sockets, { className: 'lab-tool', title: 'See the lab\'s sockets live: processes, ports, connections' }),
    button('Packets', actions.packets, { className: 'lab-tool', title: 'See the lab\'s loopback packets live, as a ladder: handshakes, data, closes' }),
    layout,
    button('A−', () => setFontSize(prefs.fontSize - 1), { className: 'lab-tool', title: 'Smaller terminal text', ariaLabel: 'A− (smaller terminal text)' }),
    button('A+', () => setFontSize(prefs.fontSize + 1), { className: 'lab-tool', title: 'Larger terminal text', ariaLabel: 'A+ (larger terminal text)' }),
    reader,
    fullscreen,
    button('End lab', actions.endLab, { className: 'lab-tool lab-danger', title: 'Stop every program and remove the lab' }),
  );
  const more = button('More', () => showMenu(!menu.classList.contains('is-open')), { className: 'lab-tool lab-more', title: 'More lab controls' });
  const showMenu = (open: boolean) => {
    menu.classList.toggle('is-open', open);
    more.setAttribute('aria-expanded', String(open));
  };
  more.setAttribute('aria-controls', menu.id);
  showMenu(false);
  menu.addEventListener('click', (event) => (event.target as HTMLElement).closest('button') && showMenu(false));
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    showMenu(false);
    more.focus();
  });
  panel.tools.append(
    button('Files', actions.files, { className: 'lab-tool', title: 'Open the editor on this page\'s files in the lab' }),
    button('Hide', actions.hide, { className: 'lab-tool', title: 'Hide the panel; the lab keeps running' }),
    more,
    menu,
  );
  showSettings();
}
