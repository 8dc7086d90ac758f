import { builtinCatalog, fieldValidationError } from '@faultline/core';

/**
 * Conditional requests (RFC 9110 section 13) on campaigns. The ETag is strong
 * and made of the id and the row's version, which every change raises:
 * `"c12-v3"`. Equal ETags therefore mean byte-equal representations.
 */
export function campaignEtag(campaign: { readonly id: number; readonly version: number }): string {
  return `"c${campaign.id}-v${campaign.version}"`;
}

/** `*`, or the entity tags of an `If-Match` / `If-None-Match` list. */
export type EntityTags = '*' | readonly { readonly weak: boolean; readonly opaque: string }[];

type ConditionalHeader = 'if-match' | 'if-none-match';

const headerNames: Record<ConditionalHeader, string> = { 'if-match': 'If-Match', 'if-none-match': 'If-None-Match' };

/** One entity-tag: `[W/] DQUOTE *etagc DQUOTE`, etagc = %x21 / %x23-7E / obs-text. */
const entityTag = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

/**
 * Parses a conditional header. An absent header is undefined. A value that
 * is neither `*` nor a comma-separated list of entity tags (empty elements
 * are skipped, as RFC 9110 section 5.6.1.2 asks) is a 400 invalid_parameter
 * naming the header: silently treating it as "no match" would answer a typo
 * with a 412 that sends the client to re-fetch a resource it already has.
 */
export function parseEntityTags(value: string | string[] | undefined, header: ConditionalHeader): EntityTags | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text.trim() === '*') return '*';
  const tags: { weak: boolean; opaque: string }[] = [];
  for (const element of text.split(',')) {
    const trimmed = element.trim();
    if (trimmed === '') continue;
    const match = entityTag.exec(trimmed);
    if (match === null) throw malformed(header);
    tags.push({ weak: match[1] !== undefined, opaque: match[2] as string });
  }
  if (tags.length === 0) throw malformed(header);
  return tags;
}

function malformed(header: ConditionalHeader) {
  const name = headerNames[header];
  return fieldValidationError(
    [
      {
        pointer: `/${header}`,
        location: 'header',
        detail: `must be * or a comma-separated list of quoted entity tags: send the ETag exactly as a GET returned it, quotes included, e.g. ${name}: "c12-v3"`,
      },
    ],
    { catalog: builtinCatalog },
  );
}

/** `If-Match` uses the strong comparison: a weak tag never matches. */
export function ifMatchHolds(tags: EntityTags, current: string): boolean {
  return tags === '*' || tags.some((tag) => !tag.weak && tag.opaque === current);
}

/** `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"`. True means "not modified". */
export function ifNoneMatchMatches(tags: EntityTags, current: string): boolean {
  return tags === '*' || tags.some((tag) => tag.opaque === current);
}

/** The 412 for a stale `If-Match`, carrying the current ETag. */
export function preconditionFailed(id: number, current: string) {
  return builtinCatalog.error('precondition_failed', {
    detail: `Campaign ${id} changed since you read it: its current ETag is ${current}, not one If-Match names. GET /v1/campaigns/${id}, reapply your change, and send it again with If-Match: ${current}.`,
    headers: { etag: current },
  });
}

/** The schema of a conditional request header, for the route schemas (and so the OpenAPI document). */
export const conditionalHeaders = {
  ifMatch: {
    type: 'object',
    properties: {
      'if-match': {
        type: 'string',
        maxLength: 1024,
        description:
          'Apply only if the campaign is still at this version: its `ETag` (strong comparison) or `*`. Otherwise 412 `precondition_failed` with the current `ETag`.',
      },
    },
  },
  ifNoneMatch: {
    type: 'object',
    properties: {
      'if-none-match': {
        type: 'string',
        maxLength: 1024,
        description: 'ETags you already have (weak comparison) or `*`: if one is current, 304 Not Modified without a body.',
      },
    },
  },
} as const;
