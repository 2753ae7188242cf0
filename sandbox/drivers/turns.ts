/**
 * At most `size` tasks at once; the others wait their turn, first come first served. The Docker
 * driver starts containers this way: sixty started at once on a 2-core machine all ran past
 * their start deadline (the engine, runc and each container's init share the cores), while
 * taking turns they all start, the last ones later.
 */
export class Turns {
  private readonly size: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.size = size;
  }

  /** Tasks waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing task hands its turn over
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
