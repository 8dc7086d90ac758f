import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, otherMembers, recordMember, recordsOf, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['code', 'title', 'detail', 'source', 'links', 'status']);
const errorObjectMembers = ['title', 'detail', 'source', 'status', 'code', 'id', 'links', 'meta'];

/**
 * JSON:API's `{errors: [{id, status, code, title, detail, source, links}]}`:
 * the first error gives code, message and docs (`links.about` or
 * `links.type`); every error with a `source` is a field error, its
 * `pointer` in the body, `parameter` in the query or `header` in a header.
 */
export const jsonApi: EnvelopeReader = {
  name: 'json-api',
  matches: (body, input) => {
    if (!isRecord(body)) return false;
    const first = recordsOf(member(body, 'errors'), 1)[0];
    if (first === undefined) return false;
    if ((input.header('content-type') ?? '').includes('application/vnd.api+json')) return true;
    // Our `errors[]` items have a `pointer` of their own, GraphQL's a `message`.
    return (
      !Object.hasOwn(first, 'pointer') &&
      stringMember(first, 'message') === undefined &&
      errorObjectMembers.some((name) => Object.hasOwn(first, name))
    );
  },
  read: (body: JsonRecord) => {
    const errors = recordsOf(body['errors']);
    const first = errors[0] as JsonRecord;
    const links = recordMember(first, 'links');
    return {
      code: stringMember(first, 'code'),
      message: stringMember(first, 'detail') ?? stringMember(first, 'title'),
      fieldErrors: errors.flatMap(sourceField),
      docsUrl: links === undefined ? undefined : (href(links['about']) ?? href(links['type'])),
      extensions: otherMembers(first, modelled),
    };
  },
};

function sourceField(error: JsonRecord): FieldError[] {
  const source = recordMember(error, 'source');
  if (source === undefined) return [];
  const detail = stringMember(error, 'detail') ?? stringMember(error, 'title');
  const code = stringMember(error, 'code');
  const pointer = stringMember(source, 'pointer');
  if (pointer !== undefined) return [fieldError(pointerOf(pointer), detail, code)];
  const parameter = stringMember(source, 'parameter');
  if (parameter !== undefined) return [fieldError(pointerOf(parameter), detail, code, 'query')];
  const header = stringMember(source, 'header');
  if (header !== undefined) return [fieldError(pointerOf(header), detail, code, 'header')];
  return [];
}

/** A JSON:API link is a URL, or a link object with `href`. */
function href(link: unknown): string | undefined {
  if (typeof link === 'string') return link;
  return isRecord(link) ? stringMember(link, 'href') : undefined;
}
