/** Gets a fresh access token; called when the current one is rejected. */
export type RefreshAccessToken = (rejectedToken: string) => Promise<string>;

/**
 * Holds the current access token and refreshes it single-flight: however many
 * requests fail with an expired token at once, the refresh callback runs once
 * and they all share its result, a failure included: a request sent before a
 * refresh failed gets that failure instead of starting another refresh.
 */
export class TokenRefresher {
  #token: string;
  #refreshing: Promise<string> | undefined;
  /** How many refreshes have ended; a request notes it when sent, to know which refresh concerned it. */
  #settled = 0;
  #lastFailure: { readonly error: unknown } | undefined;
  readonly #refresh: RefreshAccessToken;

  constructor(token: string, refresh: RefreshAccessToken) {
    this.#token = token;
    this.#refresh = refresh;
  }

  get token(): string {
    return this.#token;
  }

  /** Note this with the token when sending a request, and give it back to `renew`. */
  get generation(): number {
    return this.#settled;
  }

  /**
   * A token newer than `rejected`: the one another request already got, the
   * refresh in progress, or a new refresh. `sentAt` is the `generation` noted
   * when the rejected request was sent: if a refresh has failed since, this
   * request shares that failure rather than starting another.
   */
  async renew(rejected: string, sentAt: number): Promise<string> {
    if (this.#token !== rejected) return this.#token;
    if (this.#refreshing !== undefined) return this.#refreshing;
    if (this.#lastFailure !== undefined && sentAt < this.#settled) throw this.#lastFailure.error;
    this.#refreshing = this.#refresh(rejected).then(
      (token) => {
        this.#token = token;
        this.#refreshing = undefined;
        this.#lastFailure = undefined;
        this.#settled++;
        return token;
      },
      (error: unknown) => {
        this.#refreshing = undefined;
        this.#lastFailure = { error };
        this.#settled++;
        throw error;
      },
    );
    return this.#refreshing;
  }
}
