/** How much retrying a client may add on top of its own traffic. */
export interface RetryBudgetOptions {
  /** Retries allowed per original request, on average. Default 0.2: an outage adds at most 20% load. */
  readonly ratio?: number;
  /** Retries always allowed per second, so a quiet client can still retry. Default 5. */
  readonly minPerSecond?: number;
  readonly now?: () => number;
}

/**
 * A retry budget shared by every request of one client. Each request
 * deposits `ratio` of a retry; each retry withdraws one. When a server goes
 * down, a thousand failing requests cannot turn into four thousand: retries
 * stop once the budget is spent, and the errors reach the caller instead.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  readonly #now: () => number;
  /** Saved from deposits; capped so a long quiet spell cannot bank a retry storm. */
  #balance = 0;
  #reserve: number;
  #refilledAt: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = options.ratio ?? 0.2;
    this.#minPerSecond = options.minPerSecond ?? 5;
    this.#now = options.now ?? Date.now;
    this.#reserve = this.#minPerSecond;
    this.#refilledAt = this.#now();
  }

  /** Called once for every original request. */
  deposit(): void {
    this.#balance = Math.min(this.#balance + this.#ratio, Math.max(1, this.#ratio * 100));
  }

  /** Takes one retry if the budget allows it. */
  tryWithdraw(): boolean {
    const now = this.#now();
    this.#reserve = Math.min(this.#minPerSecond, this.#reserve + ((now - this.#refilledAt) / 1000) * this.#minPerSecond);
    this.#refilledAt = now;
    if (this.#reserve >= 1) {
      this.#reserve -= 1;
      return true;
    }
    if (this.#balance >= 1) {
      this.#balance -= 1;
      return true;
    }
    return false;
  }
}
