// At most `concurrency` jobs at a time, at most `maxWaiting` queued behind them; more is refused at
// once. Password hashing goes through one: scrypt runs on libuv's thread pool, and an unbounded
// backlog there (a sign-up storm) makes every login wait minutes and even holds up process.exit,
// which lets queued pool work finish first.

export class WorkQueueFull extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkQueueFull";
  }
}

export class BoundedWork {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly maxWaiting: number;

  constructor(options: { concurrency: number; maxWaiting: number }) {
    if (!(options.concurrency >= 1) || !(options.maxWaiting >= 0)) {
      throw new Error(
        `BoundedWork needs concurrency >= 1 and maxWaiting >= 0, got ${JSON.stringify(options)}`,
      );
    }
    this.concurrency = options.concurrency;
    this.maxWaiting = options.maxWaiting;
  }

  get pending(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new WorkQueueFull(`${this.active} running and ${this.waiting.length} waiting`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter, so `active` never dips below the queue's need.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
