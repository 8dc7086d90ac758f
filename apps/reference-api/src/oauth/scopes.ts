/**
 * The scopes an OAuth access token can carry, and which one each /v1 route
 * needs. Account administration (users, API keys, OAuth apps, sessions) has
 * no scope: a third-party app never manages a team's people or credentials.
 */
export const scopeDescriptions = {
  'account:read': 'See your name, email and team',
  'campaigns:read': 'See your team’s campaigns',
  'campaigns:write': 'Create, change, pause and delete your team’s campaigns',
  'recipients:read': 'See the recipients of your team’s campaigns',
  'recipients:write': 'Add recipients to your team’s campaigns',
} as const;

export type Scope = keyof typeof scopeDescriptions;

export const knownScopes = Object.keys(scopeDescriptions) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(scopeDescriptions, value);
}

/**
 * Scopes about the user who authorized the app. A client-credentials token
 * acts for the app's own team with no user behind it, so it is never granted
 * one: the token endpoint refuses them to that grant, and registration to an
 * app whose only grant is client_credentials.
 */
export const userScopes: ReadonlySet<string> = new Set<Scope>(['account:read']);

/** Splits a space-separated scope string into its distinct scopes, in order. */
export function parseScope(scope: string): string[] {
  return [...new Set(scope.split(' ').filter((part) => part !== ''))];
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The scope a request under /v1 needs, from its route pattern and method;
 * undefined when no OAuth token may call it at all.
 */
export function requiredScope(method: string, routePattern: string): Scope | undefined {
  const read = readMethods.has(method);
  if (routePattern === '/v1/me') return 'account:read';
  if (routePattern.startsWith('/v1/campaigns/:id/recipients')) return read ? 'recipients:read' : 'recipients:write';
  if (routePattern.startsWith('/v1/campaigns')) return read ? 'campaigns:read' : 'campaigns:write';
  return undefined;
}
