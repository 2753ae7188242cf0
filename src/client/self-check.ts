/**
 * Makes a lesson's self-check (src/components/SelfCheck.astro) answerable: each question is a
 * native radio group in a fieldset; "Check" shows whether the chosen answer is right, its
 * explanation and the right answer's, in a live region. Answers are kept per lesson
 * (self-check-progress.ts), restored on reload, and "Reset" forgets them. Without this script the
 * page still shows every question with all answers and explanations in a <details>.
 */
import { SelfCheckProgress } from './self-check-progress.ts';

interface Question {
  hash: string;
  inputs: HTMLInputElement[];
  result: HTMLElement;
  explanations: HTMLElement[];
}

export class SelfCheck {
  readonly #questions: Question[];
  readonly #progress: SelfCheckProgress;
  readonly #status: HTMLElement;
  readonly #abort = new AbortController();

  constructor(root: HTMLElement) {
    this.#progress = new SelfCheckProgress(root.dataset.lesson ?? location.pathname);
    this.#status = root.querySelector<HTMLElement>('[data-self-check-status]')!;
    this.#questions = [...root.querySelectorAll<HTMLFieldSetElement>('[data-question]')].map((fieldset) => ({
      hash: fieldset.dataset.question!,
      inputs: [...fieldset.querySelectorAll<HTMLInputElement>('input[type="radio"]')],
      result: fieldset.querySelector<HTMLElement>('[data-result]')!,
      explanations: [...fieldset.querySelectorAll<HTMLElement>('[data-why]')],
    }));
    const { signal } = this.#abort;
    for (const question of this.#questions) {
      const fieldset = question.result.closest('fieldset')!;
      fieldset.querySelector<HTMLDetailsElement>('[data-answers]')!.hidden = true;
      const check = fieldset.querySelector<HTMLButtonElement>('[data-check]')!;
      check.hidden = false;
      check.addEventListener('click', () => this.#check(question), { signal });
    }
    const reset = root.querySelector<HTMLButtonElement>('[data-reset]')!;
    reset.addEventListener('click', () => this.#reset(), { signal });
    root.querySelector<HTMLElement>('[data-self-check-controls]')!.hidden = false;
    this.#restore();
  }

  dispose(): void {
    this.#abort.abort();
  }

  #check(question: Question): void {
    const chosen = question.inputs.findIndex((input) => input.checked);
    if (chosen < 0) {
      question.result.textContent = 'Choose an answer first.';
      question.result.dataset.result = 'none';
      return;
    }
    this.#progress.save(question.hash, chosen);
    this.#show(question, chosen);
    this.#updateStatus();
  }

  #show(question: Question, chosen: number): void {
    const right = question.inputs.findIndex((input) => input.dataset.correct !== undefined);
    const why = (i: number) => question.explanations[i]?.textContent ?? '';
    const label = (i: number) => question.inputs[i]?.closest('label')?.textContent?.trim() ?? '';
    const lines =
      chosen === right
        ? [`Right. ${why(chosen)}`]
        : [`Not quite. ${why(chosen)}`, `The right answer: ${label(right)}. ${why(right)}`];
    question.result.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
    question.result.dataset.result = chosen === right ? 'right' : 'wrong';
  }

  #restore(): void {
    const answers = this.#progress.answers;
    for (const question of this.#questions) {
      const chosen = answers[question.hash];
      if (typeof chosen !== 'number' || !question.inputs[chosen]) continue;
      question.inputs[chosen].checked = true;
      this.#show(question, chosen);
    }
    this.#updateStatus();
  }

  #reset(): void {
    this.#progress.clear();
    for (const question of this.#questions) {
      for (const input of question.inputs) input.checked = false;
      question.result.replaceChildren();
      question.result.dataset.result = '';
    }
    this.#updateStatus();
    this.#questions[0]?.inputs[0]?.focus();
  }

  #updateStatus(): void {
    const answers = this.#progress.answers;
    const answered = this.#questions.filter((q) => typeof answers[q.hash] === 'number').length;
    const right = this.#questions.filter((q) => q.inputs[answers[q.hash] ?? -1]?.dataset.correct !== undefined).length;
    this.#status.textContent = `${answered} of ${this.#questions.length} answered, ${right} right.`;
  }
}

for (const root of document.querySelectorAll<HTMLElement>('[data-self-check]')) new SelfCheck(root);
