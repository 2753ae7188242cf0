/**
 * The controls of an exercise page: "Start in the lab", "Check my work", "Show solution".
 *
 * They call the lab server's exercise routes (docs/protocol.md, "Exercises") through the lab UI's
 * own API module and ticket (src/client/lab/api.ts, lab-ticket.ts); with no lab yet, the first click
 * starts one, and the lab panel takes it as its own. Progress (best result per exercise) is kept in
 * localStorage; for a learner in a class the server also records every check (the answer says
 * `saved`), and /my/learner.json tells the page what is assigned and whether the instructor has
 * released the solution.
 */
import type { CheckAnswer, LabTicket, LearnerStatus } from '../../wire/lab-api.ts';
import { checkExercise, exerciseSolution, LabApiError, startExercise } from './lab/api.ts';
import { ensureTicket, forgetTicket } from './lab/lab-ticket.ts';
import { formatLocalTime } from '../../wire/dates.ts';
import { checksPass, count } from '../../wire/words.ts';

const PROGRESS = 'socketlab.exercises';
const SYNCED_LANG = 'starlight-synced-tabs__lang';

function localStore(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

type Progress = Record<string, { passed: number; total: number; solved: boolean }>;

function loadProgress(): Progress {
  try {
    return JSON.parse(localStore()?.getItem(PROGRESS) ?? '{}') as Progress;
  } catch {
    return {};
  }
}

function saveProgress(id: string, report: CheckAnswer): void {
  const all = loadProgress();
  const before = all[id];
  all[id] = {
    passed: Math.max(before?.passed ?? 0, report.passed),
    total: report.total,
    solved: (before?.solved ?? false) || report.passed === report.total,
  };
  try {
    localStore()?.setItem(PROGRESS, JSON.stringify(all));
  } catch {}
}

/** Runs `request` in the current lab; with none (or one that has ended), starts a new lab once. */
async function inLab<T>(request: (ticket: LabTicket) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const ticket = await ensureTicket();
    try {
      return await request(ticket);
    } catch (err) {
      if (!(err instanceof LabApiError && err.labGone) || attempt > 0) throw err;
      forgetTicket(ticket); // the lab ended: the next attempt starts a fresh one
    }
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function renderReport(list: HTMLElement, report: CheckAnswer): void {
  list.replaceChildren(
    ...report.checks.map((check) => {
      const item = el('li');
      const head = el('p');
      head.append(el('strong', check.pass ? '✓ Pass' : check.notRun ? '– Not run' : '✗ Fail', check.pass ? 'pass' : 'fail'), ` ${check.title}`);
      item.append(head);
      if (check.notRun) item.append(el('p', `Not run because ${check.notRun}`, 'not-run'));
      else if (!check.pass) {
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

/** What the classroom knows of this browser for exercise `id`; anonymous (or no classroom) when it cannot say. */
async function learnerStatus(id: string): Promise<LearnerStatus> {
  try {
    const res = await fetch(`/my/learner.json?exercise=${encodeURIComponent(id)}`, { credentials: 'same-origin' });
    return res.ok ? ((await res.json()) as LearnerStatus) : { inClass: false };
  } catch {
    return { inClass: false };
  }
}

/** Wires one exercise section: its buttons, status line, results and solution. */
export function mountExercise(root: HTMLElement): void {
  const id = root.dataset.exercise ?? '';
  const select = root.querySelector<HTMLSelectElement>('[data-lang]')!;
  const status = root.querySelector<HTMLElement>('[data-status]')!;
  const results = root.querySelector<HTMLOListElement>('[data-results]')!;
  const solutionBox = root.querySelector<HTMLElement>('[data-solution]')!;
  const buttons = {
    start: root.querySelector<HTMLButtonElement>('[data-action="start"]')!,
    check: root.querySelector<HTMLButtonElement>('[data-action="check"]')!,
    solution: root.querySelector<HTMLButtonElement>('[data-action="solution"]')!,
  };

  // The language the learner picked on the lesson pages, when this exercise offers it: their tabs
  // keep its label, which is also the text of its option here (LANG_LABELS, src/catalog/topics.ts).
  const label = localStore()?.getItem(SYNCED_LANG);
  const synced = [...select.options].find((option) => option.text === label);
  if (synced) select.value = synced.value;

  const progress = loadProgress()[id];
  if (progress) {
    status.textContent = progress.solved
      ? `You have solved this exercise (${progress.total} of ${count(progress.total, 'check')}). Run a check in your current lab to unlock the solution there.`
      : `Your best so far: ${checksPass(progress.passed, progress.total)}.`;
  }

  // Run and Edit for the chosen language's starter, once "Start in the lab" has put it there; the
  // lab's Files button opens its main file (the lab config tells the panel, bootstrap.ts).
  const runs = [...root.querySelectorAll<HTMLElement>('[data-run-lang]')];
  const labConfig = document.getElementById('lab-config');
  const started = new Set<string>();
  const showLanguage = () => {
    for (const run of runs) run.hidden = !(run.dataset.runLang === select.value && started.has(select.value));
    const main = started.has(select.value) ? runs.find((run) => run.dataset.runLang === select.value)?.dataset.main : undefined;
    if (labConfig && main) labConfig.dataset.main = main;
    else delete labConfig?.dataset.main;
  };
  showLanguage();
  select.addEventListener('change', showLanguage);

  let unlocked = false;
  let summary = '';
  const classLine = root.querySelector<HTMLElement>('[data-class]')!;
  void learnerStatus(id).then((info) => {
    if (!info.inClass) return;
    const due = (info.assigned ?? []).map((a) => `${a.title} (${a.className}), due ${formatLocalTime(a.dueAt)}`);
    classLine.textContent = `You are in a class: your checks are saved for your instructor.${due.length ? ` Assigned in ${due.join('; ')}.` : ''}`;
    classLine.hidden = false;
    if (info.solutionReleased) {
      unlocked = true;
      buttons.solution.disabled = false;
    }
  });
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
      const copied = await inLab((ticket) => startExercise(ticket, id, select.value));
      const kept = copied.files.length - copied.created.length;
      status.textContent =
        `Your files are in ~/${copied.dir}/ in the lab: ${copied.files.map((f) => f.split('/').pop()).join(', ')}` +
        (kept > 0 ? ` (${kept} kept as you left them).` : '.') +
        ' Run builds and starts it in the lab, Edit opens it; then press "Check my work".';
      started.add(select.value);
      showLanguage();
    }),
  );

  buttons.check.addEventListener('click', () =>
    busy(buttons.check, 'Checking: building and running your program in the lab…', async () => {
      const report = await inLab((ticket) => checkExercise(ticket, id, select.value));
      saveProgress(id, report);
      renderReport(results, report);
      const all = report.passed === report.total;
      summary = `${checksPass(report.passed, report.total)}.`;
      const saved = report.saved ? ' Saved for your class.' : '';
      status.textContent = `${summary}${saved}${all ? ' Well done: the solution is unlocked.' : ' Read the hints below, fix, save, and check again.'}`;
      unlocked = report.unlocked;
    }),
  );

  buttons.solution.addEventListener('click', () =>
    busy(buttons.solution, 'Fetching the reference solution…', async () => {
      const answer = await inLab((ticket) => exerciseSolution(ticket, id, select.value));
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
