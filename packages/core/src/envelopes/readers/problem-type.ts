/** A problem type that points at an RFC's section (ASP.NET Core's defaults) documents the status, not a code. */
const rfcLink = /\brfc\d{3,5}\b|tools\.ietf\.org|datatracker\.ietf\.org|rfc-editor\.org/i;
const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/**
 * The code an RFC 9457 `type` stands for: the anchor of a link into an error
 * reference (`…/errors#missing_dependent_data`), else the type URI itself,
 * which RFC 9457 makes the problem's primary identifier. Neither for
 * `about:blank` or a link to an RFC.
 */
export function codeOfProblemType(type: string | undefined): string | undefined {
  if (type === undefined || type === 'about:blank' || rfcLink.test(type)) return undefined;
  const hash = type.lastIndexOf('#');
  const anchor = hash === -1 ? undefined : type.slice(hash + 1);
  return anchor !== undefined && codeLike.test(anchor) ? anchor : type;
}

/** The docs link a `type` is, unless it is the RFC default. */
export function docsOfProblemType(type: string | undefined): string | undefined {
  return type === 'about:blank' ? undefined : type;
}
