/**
 * "You already have 3 labs open": the labs this browser started, each with an End button, so the
 * learner frees a slot without the tab that holds the lab (closed, or another one). The server
 * knows them by the browser's owner cookie (docs/protocol.md, "Your labs"), never by their tokens.
 */
import { formatLocalTime } from '../../../wire/dates.ts';
import { endOwnLab, ownLabs } from './api.ts';
import { button, el } from './panel.ts';

/** The list, or why there is none; `ended` runs after each lab the learner ends. */
export async function ownLabsList(ended: () => void): Promise<HTMLElement> {
  const labs = await ownLabs().catch(() => []);
  if (labs.length === 0) {
    return el(
      'p',
      {},
      'None of them was started in this browser: another browser or computer on your network has them (a school often shares one address). They end by themselves after a while without activity; press Try again then.',
    );
  }
  const list = el('ul', { className: 'lab-own-labs' });
  for (const lab of labs) {
    const when = `started ${formatLocalTime(lab.startedAt)}`;
    const item = el('li', {}, lab.page ? `A lab ${when} on ${lab.page} ` : `A lab ${when} `);
    const end = button('End', async () => {
      end.disabled = true;
      await endOwnLab(lab.labId).catch(() => {}); // already gone: the slot is free all the same
      item.remove();
      ended();
    });
    end.setAttribute('aria-label', `End the lab ${when}`);
    item.append(end);
    list.append(item);
  }
  return list;
}
