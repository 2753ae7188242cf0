/**
 * The controls of an exercise page: "Start in the lab", "Check my work", "Show solution".
 *
 * They call the lab server's exercise routes (docs/protocol.md, "Exercises") with the ticket the
 * lab UI keeps in sessionStorage (`socketlab.lab`: {labId, token, expiresAt, limits}); with no lab
 * yet, the first click starts one (POST /api/labs) and stores its ticket the same way, so the lab
 * panel of a lesson page finds it. Progress (best result per exercise) is kept in localStorage.
 */

interface Ticket {
  labId: string;
  token: string;
  expiresAt: string;
  limits?: unknown;
}

interface Check {
  id: string;
  title: string;
  pass: boolean;
  sent: string;
  expected: string;
  got: string;
  hint: string;
}

interface Report {
  checks: Check[];
  passed: number;
  total: number;
  unlocked: boolean;
}

interface ApiError {
  error?: string;
  reason?: string;
}

const TICKET = 'socketlab.lab';
const PROGRESS = 'socketlab.exercises';
const SYNCED_LANG = 'starlight-synced-tabs__lang';
const LANG_BY_LABEL: Record<string, string> = { C: 'c', Go: 'go', TypeScript: 'ts' };

function storage(kind: 'session' | 'local'): Storage | null {
  try {
    return kind === 'session' ? sessionStorage : localStorage;
  } catch {
    return null;
  }
}

function savedTicket(): Ticket | null {
  try {
    const ticket = JSON.parse(storage('session')?.getItem(TICKET) ?? 'null') as Ticket | null;
    return ticket && Date.parse(ticket.expiresAt) > Date.now() ? ticket : null;
  } catch {
    return null;
  }
}

function saveTicket(ticket: Ticket | null): void {
  try {
    if (ticket) storage('session')?.setItem(TICKET, JSON.stringify(ticket));
    else storage('session')?.removeItem(TICKET);
  } catch {}
}

type Progress = Record<string, { passed: number; total: number; solved: boolean }>;

function loadProgress(): Progress {
  try {
    return JSON.parse(storage('local')?.getItem(PROGRESS) ?? '{}') as Progress;
  } catch {
    return {};
  }
}

function saveProgress(id: string, report: Report): void {
  const all = loadProgress();
  const before = all[id];
  all[id] = {
    passed: Math.max(before?.passed ?? 0, report.passed),
    total: report.total,
    solved: (before?.solved ?? false) || report.passed === report.total,
  };
  try {
    storage('local')?.setItem(PROGRESS, JSON.stringify(all));
  } catch {}
}

class LabGone extends Error {}

async function newLab(): Promise<Ticket> {
  const res = await fetch('/api/labs', { method: 'POST' });
  const body = (await res.json().catch(() => ({}))) as Ticket & ApiError;
  if (res.status !== 201) throw new Error(body.error ?? `The lab could not start (${res.status}).`);
  saveTicket(body);
  return body;
}

/** Calls an exercise route of the current lab; with none (or an ended one), starts a new lab once. */
async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const ticket = savedTicket() ?? (await newLab());
    const res = await fetch(`/api/labs/${ticket.labId}/${route}`, {
      method,
      headers: { Authorization: `Bearer ${ticket.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await res.json().catch(() => ({}))) as T & ApiError;
    if (res.ok) return answer;
    if (res.status === 404 && answer.reason === 'no-lab') {
      saveTicket(null); // the lab ended: the next attempt starts a fresh one
      if (attempt === 0) continue;
      throw new LabGone('Your lab has ended.');
    }
    throw new Error(answer.error ?? `The server answered ${res.status}.`);
  }
  throw new LabGone('Your lab has ended.');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderReport(list: HTMLElement, report: Report): void {
  list.replaceChildren(
    ...report.checks.map((check) => {
      const item = el('li');
      const head = el('p');
      head.append(el('strong', check.pass ? '✓ Pass' : '✗ Fail', check.pass ? 'pass' : 'fail'), ` ${check.title}`);
      item.append(head);
      if (!check.pass) {
        const details = el('dl');
        for (const [term, value] of [
          ['Sent', check.sent],
          ['Expected', check.expected],
          ['Got', check.got],
          ['Hint', check.hint],
        ] as const) {
          details.append(el('dt', term), el('dd', value));
        }
        item.append(details);
      }
      return item;
    }),
  );
}

/** Wires one exercise section: its buttons, status line, results and solution. */
export function mountExercise(root: HTMLElement): void {
  const id = root.dataset.exercise ?? '';
  const offered = (root.dataset.languages ?? '').split(',');
  const select = root.querySelector<HTMLSelectElement>('[data-lang]')!;
  const status = root.querySelector<HTMLElement>('[data-status]')!;
  const results = root.querySelector<HTMLOListElement>('[data-results]')!;
  const solutionBox = root.querySelector<HTMLElement>('[data-solution]')!;
  const buttons = {
    start: root.querySelector<HTMLButtonElement>('[data-action="start"]')!,
    check: root.querySelector<HTMLButtonElement>('[data-action="check"]')!,
    solution: root.querySelector<HTMLButtonElement>('[data-action="solution"]')!,
  };

  // The language the learner picked on the lesson pages, when this exercise offers it.
  const synced = LANG_BY_LABEL[storage('local')?.getItem(SYNCED_LANG) ?? ''];
  if (synced && offered.includes(synced)) select.value = synced;

  const progress = loadProgress()[id];
  if (progress) {
    status.textContent = progress.solved
      ? `You have solved this exercise (${progress.total} of ${progress.total} checks). Run a check in your current lab to unlock the solution there.`
      : `Your best so far: ${progress.passed} of ${progress.total} checks pass.`;
  }

  let unlocked = false;
  let summary = '';
  const busy = async (button: HTMLButtonElement, working: string, job: () => Promise<void>) => {
    const all = Object.values(buttons);
    all.forEach((b) => (b.disabled = true));
    button.setAttribute('aria-busy', 'true');
    status.textContent = working;
    try {
      await job();
    } catch (err) {
      status.textContent = (err as Error).message;
    } finally {
      button.removeAttribute('aria-busy');
      buttons.start.disabled = false;
      buttons.check.disabled = false;
      buttons.solution.disabled = !unlocked;
    }
  };

  buttons.start.addEventListener('click', () =>
    busy(buttons.start, 'Putting the starter files in your lab…', async () => {
      const started = await call<{ dir: string; files: string[]; created: string[] }>('POST', `exercises/${id}/start`, { lang: select.value });
      const kept = started.files.length - started.created.length;
      status.textContent =
        `Your files are in ~/${started.dir}/ in the lab: ${started.files.map((f) => f.split('/').pop()).join(', ')}` +
        (kept > 0 ? ` (${kept} kept as you left them).` : '.') +
        ` Open the lab, run "cd ~/${started.dir}" in a terminal, edit and try your program, then press "Check my work".`;
    }),
  );

  buttons.check.addEventListener('click', () =>
    busy(buttons.check, 'Checking: building and running your program in the lab…', async () => {
      const report = await call<Report>('POST', `exercises/${id}/check`, { lang: select.value });
      saveProgress(id, report);
      renderReport(results, report);
      const all = report.passed === report.total;
      summary = `${report.passed} of ${report.total} checks pass.`;
      status.textContent = `${summary}${all ? ' Well done: the solution is unlocked.' : ' Read the hints below, fix, save, and check again.'}`;
      unlocked = report.unlocked;
    }),
  );

  buttons.solution.addEventListener('click', () =>
    busy(buttons.solution, 'Fetching the reference solution…', async () => {
      const answer = await call<{ files: { path: string; content: string }[] }>('GET', `exercises/${id}/solution/${select.value}`);
      solutionBox.replaceChildren(el('h3', `Reference solution (${select.options[select.selectedIndex]?.text ?? select.value})`));
      for (const file of answer.files) {
        const pre = el('pre');
        pre.append(el('code', file.content));
        pre.tabIndex = 0;
        pre.setAttribute('aria-label', file.path);
        solutionBox.append(el('h4', file.path), pre);
      }
      status.textContent = `${summary} The reference solution is below; compare it with yours: there is more than one right answer.`;
    }),
  );
}
