// The RateLimit field readers live in @faultline/core, where the error envelopes read them too.
export { parseRateLimit, parseRateLimitPolicy, type QuotaPolicy, type RateLimitState } from '@faultline/core';
