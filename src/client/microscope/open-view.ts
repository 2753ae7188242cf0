/**
 * Opens the Packets view for the tab's lab (starting one if there is none, as the lab panel does).
 */
import { ensureTicket } from '../lab/lab-ticket.ts';
import type { IDisposable } from '../lab/disposable.ts';
import { PacketsView } from './packets-view.ts';

export async function openView(host: HTMLElement, filter: string): Promise<IDisposable> {
  try {
    return new PacketsView(host, await ensureTicket(), filter);
  } catch (err) {
    const problem = host.ownerDocument.createElement('p');
    problem.className = 'mpk-status';
    problem.textContent = `The lab could not start: ${(err as Error).message}`;
    host.replaceChildren(problem);
    return { dispose: () => problem.remove() };
  }
}
