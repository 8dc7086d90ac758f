import type { RouteContract } from '@faultline/http';
import type { FaultlineSettings } from './settings.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id: its well-formed `x-request-id`, or a fresh UUID. Set by the {@link faultline} middleware. */
    requestId: string;
    /** The contract's settings, for the middleware that answers errors. Set by the {@link faultline} middleware. */
    faultline: FaultlineSettings;
    /** What this route says about its errors (a forced profile, its context), set by {@link errorContract}. */
    faultlineRoute: RouteContract;
    /** What {@link apiKeyAuth} let the request in with: the key, or what its `verify` returned. */
    apiKey: unknown;
  }
}
