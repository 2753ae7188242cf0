/**
 * Pagefind's search UI, loaded when the learner reaches for search rather than on every page.
 *
 * Starlight's search box imports `@pagefind/default-ui` as soon as the browser is idle on every
 * page: about 22 KB of Brotli, a quarter of a first visit's budget, most often for nothing.
 * astro.config.mjs points that import here, and this stand-in loads the real UI (and makes it,
 * with Starlight's options) once the pointer is over the search button, it has focus or is
 * pressed, or Ctrl/⌘+K is typed; then it focuses the search field if the dialog is open.
 */
interface SearchOptions {
  element: string;
  [option: string]: unknown;
}

export class PagefindUI {
  constructor(options: SearchOptions) {
    const container = document.querySelector(options.element);
    const site = container?.closest('site-search');
    const button = site?.querySelector('button[data-open-modal]');
    let loading: Promise<void> | null = null;
    const load = () =>
      (loading ??= import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs').then(({ PagefindUI: RealUI }) => {
        new RealUI(options);
        window.removeEventListener('keydown', onShortcut);
        if (site?.querySelector('dialog')?.open) container?.querySelector('input')?.focus();
      }));
    const onShortcut = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && event.key === 'k') void load();
    };
    if (!button) {
      void load(); // not Starlight's markup: keep search working the way it did
      return;
    }
    for (const type of ['pointerenter', 'touchstart', 'focus', 'click']) button.addEventListener(type, () => void load(), { passive: true });
    window.addEventListener('keydown', onShortcut);
    // Starlight makes this when the browser is first idle, which on a busy phone can be after
    // the learner has already opened the dialog: then nothing above will fire again.
    if (site?.querySelector('dialog')?.open) void load();
  }
}
