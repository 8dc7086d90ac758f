/** Gets a fresh access token; called when the current one is rejected. */
export type RefreshAccessToken = (rejectedToken: string) => Promise<string>;

/**
 * Holds the current access token and refreshes it single-flight: however many
 * requests fail with an expired token at once, the refresh callback runs once
 * and they all wait for its result.
 */
export class TokenRefresher {
  #token: string;
  #refreshing: Promise<string> | undefined;
  readonly #refresh: RefreshAccessToken;

  constructor(token: string, refresh: RefreshAccessToken) {
    this.#token = token;
    this.#refresh = refresh;
  }

  get token(): string {
    return this.#token;
  }

  /**
   * A token newer than `rejected`: the one another request already got, the
   * refresh in progress, or a new refresh.
   */
  async renew(rejected: string): Promise<string> {
    if (this.#token !== rejected) return this.#token;
    if (this.#refreshing === undefined) {
      this.#refreshing = this.#refresh(rejected).then(
        (token) => {
          this.#token = token;
          this.#refreshing = undefined;
          return token;
        },
        (error: unknown) => {
          this.#refreshing = undefined;
          throw error;
        },
      );
    }
    return this.#refreshing;
  }
}
