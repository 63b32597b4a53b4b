// What a screen reader hears of a run: the run view's output is not a live region itself (a
// 3,000-line burst would be read line by line, or drop everything), so this speaks for it through
// one polite status region, paced: step starts and ends and the result soon (coalesced within
// SOON_MS), output only as a count of new lines at most once every LINES_MS, and the final result
// at once, with whatever was pending. Timers are injected so the pacing is testable without waiting.

export const SOON_MS = 400;
export const LINES_MS = 5_000;

export interface AnnouncerClock {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const BROWSER_CLOCK: AnnouncerClock = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Announcer {
  private readonly write: (text: string) => void;
  private readonly clock: AnnouncerClock;
  private readonly pending: string[] = [];
  private lines = 0;
  private errors = 0;
  /** Where the count of lines goes among the pending messages: after those that came before them. */
  private countAt = 0;
  private timer: unknown = null;
  /** The delay the pending flush was set with: a sooner kind of message replaces it. */
  private timerMs = Number.POSITIVE_INFINITY;

  constructor(write: (text: string) => void, clock: AnnouncerClock = BROWSER_CLOCK) {
    this.write = write;
    this.clock = clock;
  }

  /** A step started or ended, a table arrived: said within SOON_MS, together with anything pending. */
  say(text: string): void {
    this.pending.push(text);
    this.schedule(SOON_MS);
  }

  /** A line of output: counted, and the count said at most once every LINES_MS. */
  line(stream: "stdout" | "stderr"): void {
    if (this.lines === 0) this.countAt = this.pending.length;
    this.lines += 1;
    if (stream === "stderr") this.errors += 1;
    this.schedule(LINES_MS);
  }

  /** The run's result: said now, after what was pending; nothing is said after it. */
  finish(text: string): void {
    this.pending.push(text);
    this.flush();
  }

  private schedule(ms: number): void {
    // A sooner kind of message pulls a pending flush forward; a later one never pushes it back.
    if (this.timer !== null && ms >= this.timerMs) return;
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timerMs = ms;
    this.timer = this.clock.set(() => this.flush(), ms);
  }

  private flush(): void {
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = null;
    this.timerMs = Number.POSITIVE_INFINITY;
    const parts = [...this.pending];
    this.pending.length = 0;
    if (this.lines > 0) {
      parts.splice(
        this.countAt,
        0,
        `${this.lines} new line${this.lines > 1 ? "s" : ""} of output${this.errors ? `, ${this.errors} on error output` : ""}`,
      );
      this.lines = 0;
      this.errors = 0;
    }
    if (parts.length > 0) this.write(`${parts.join(". ")}.`);
  }
}
