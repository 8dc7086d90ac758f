import { resolveContractSettings, type ContractLogger, type ContractOptions, type ContractSettings } from '@faultline/http';

/** Options of {@link faultline}: the contract's own, and what only the Hono layer needs. Every one has a default. */
export interface FaultlineOptions extends ContractOptions {
  /**
   * Where unexpected errors (in full, with their stack) and warnings go, in
   * pino's convention: an object of fields, then a message. Default: `console`
   * (`console.error` and `console.warn`; debug messages dropped).
   */
  readonly logger?: ContractLogger;
  /**
   * The most bytes a request body may have, counted while it is read (a body
   * that says nothing of its length is cut off there), answered 413
   * `request_too_large` past it. `validate` and `readJsonBody` take a
   * per-route limit too. Default: 1 MiB.
   */
  readonly bodyLimit?: number;
}

/** {@link FaultlineOptions} with every default filled in; what the middleware finds in `c.var.faultline`. */
export interface FaultlineSettings extends ContractSettings {
  readonly logger: ContractLogger;
  readonly bodyLimit: number;
}

/** Writes to the console what the contract logs: errors and warnings. */
export const consoleLogger: ContractLogger = {
  error: (fields, message) => console.error(message, fields),
  warn: (fields, message) => console.warn(message, fields),
  debug: () => undefined,
};

const defaultBodyLimit = 1 << 20;

/** Checks the options and fills in the defaults; a bad option throws a `TypeError` naming it. */
export function resolveSettings(options: FaultlineOptions = {}): FaultlineSettings {
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  if (!(Number.isInteger(bodyLimit) && bodyLimit >= 0))
    throw new TypeError(`The Faultline option bodyLimit must be a whole number of bytes, not ${bodyLimit}.`);
  return { ...resolveContractSettings(options), logger: options.logger ?? consoleLogger, bodyLimit };
}
