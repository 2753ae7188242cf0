/**
 * Terminal and editor colours that follow Starlight's light/dark switch (the `data-theme`
 * attribute on <html>), so the lab never shows a black box on a white page or the reverse.
 */
import type { ITheme } from '@xterm/xterm';
import { toDisposable, type IDisposable } from './disposable.ts';

export type Mode = 'light' | 'dark';

export function currentMode(): Mode {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

/** Calls `listener` whenever the page switches between light and dark, until disposed. */
export function onModeChange(listener: (mode: Mode) => void): IDisposable {
  let last = currentMode();
  const observer = new MutationObserver(() => {
    const mode = currentMode();
    if (mode !== last) listener((last = mode));
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return toDisposable(() => observer.disconnect());
}

// GitHub's palettes, like the code blocks (Expressive Code's github-dark / github-light).
export const TERMINAL_THEMES: Record<Mode, ITheme> = {
  dark: {
    background: '#0d1117', foreground: '#e6edf3', cursor: '#e6edf3', selectionBackground: '#264f78',
    black: '#484f58', red: '#ff7b72', green: '#3fb950', yellow: '#d29922', blue: '#58a6ff', magenta: '#bc8cff', cyan: '#39c5cf', white: '#b1bac4',
    brightBlack: '#6e7681', brightRed: '#ffa198', brightGreen: '#56d364', brightYellow: '#e3b341', brightBlue: '#79c0ff', brightMagenta: '#d2a8ff', brightCyan: '#56d4dd', brightWhite: '#ffffff',
  },
  light: {
    background: '#ffffff', foreground: '#1f2328', cursor: '#1f2328', selectionBackground: '#add6ff',
    black: '#24292f', red: '#cf222e', green: '#116329', yellow: '#4d2d00', blue: '#0969da', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781',
    brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#1a7f37', brightYellow: '#633c01', brightBlue: '#218bff', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
  },
};
