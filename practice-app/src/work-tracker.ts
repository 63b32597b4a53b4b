/**
 * Counts work that uses the pools (procedure calls, health checks), so shutdown closes them only
 * when nothing is running. Counted at the procedure, not the HTTP response: a client that hangs up
 * ends its response, but its procedure keeps running until it returns.
 */
export class WorkTracker {
  private running = 0;
  private waiters: Array<() => void> = [];

  get active(): number {
    return this.running;
  }

  async track<T>(work: Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work;
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
