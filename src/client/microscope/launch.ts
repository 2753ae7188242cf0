/**
 * The up-front part of `<Microscope>` (src/components/Microscope.astro): a click on its button loads
 * the view (a dynamic import, so lesson pages do not pay for it until then) and opens it for the
 * tab's lab, starting one if there is none; a second click closes it.
 */
import type { IDisposable } from '../lab/disposable.ts';

const open = new WeakMap<HTMLElement, Promise<IDisposable>>();

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('.microscope-toggle');
  const root = button?.closest<HTMLElement>('.microscope');
  const host = root?.querySelector<HTMLElement>('.microscope-host');
  if (!button || !root || !host) return;
  const opened = open.get(root);
  if (opened) {
    open.delete(root);
    void opened.then((view) => view.dispose());
    button.textContent = button.dataset.label ?? 'Open';
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  button.textContent = 'Close Packets';
  button.setAttribute('aria-expanded', 'true');
  open.set(root, import('./open-view.ts').then(({ openView }) => openView(host, root.dataset.microscopeFilter ?? '')));
});
