/**
 * "Copy the link" buttons (`data-copy="<text>"`): shown only where the clipboard can be written,
 * and say "Copied" (in the status beside them, `data-copied`) once it was.
 */
export function enableCopyButtons(): void {
  if (!navigator.clipboard) return; // not a secure context: the link is there to select by hand
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    const status = button.parentElement?.querySelector<HTMLElement>('[data-copied]');
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(button.dataset.copy ?? '').then(
        () => status && (status.textContent = 'Copied.'),
        () => status && (status.textContent = 'Could not copy: select the link and copy it by hand.'),
      );
    });
  }
}
