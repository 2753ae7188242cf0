/**
 * A lesson's self-check answers kept in localStorage: which option the learner checked, per
 * question, keyed by the lesson and a hash of the question's text (so a reworded question starts
 * afresh). Storage can be missing or full (private windows): then answers last for the page only.
 */
export type Answers = Record<string, number>;

export class SelfCheckProgress {
  readonly #key: string;
  #answers: Answers;

  constructor(lesson: string) {
    this.#key = `socketlab.selfCheck.${lesson}`;
    this.#answers = this.#read();
  }

  get answers(): Readonly<Answers> {
    return this.#answers;
  }

  save(question: string, option: number): void {
    this.#answers = { ...this.#answers, [question]: option };
    try {
      localStorage.setItem(this.#key, JSON.stringify(this.#answers));
    } catch {
      // storage unavailable: the answer still counts on this page
    }
  }

  clear(): void {
    this.#answers = {};
    try {
      localStorage.removeItem(this.#key);
    } catch {
      // nothing was kept
    }
  }

  #read(): Answers {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(this.#key) ?? '{}');
      return parsed && typeof parsed === 'object' ? (parsed as Answers) : {};
    } catch {
      return {};
    }
  }
}
