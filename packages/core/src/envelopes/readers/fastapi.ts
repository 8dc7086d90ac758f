import type { FieldLocation } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, recordsOf, stringMember, type JsonRecord } from '../members.js';

const locations: Readonly<Record<string, FieldLocation>> = { body: 'body', query: 'query', path: 'path', header: 'header' };

/**
 * FastAPI's (Pydantic's) validation answer, `{detail: [{loc, msg, type}]}`:
 * `loc` starts with where the field is (`body`, `query` …), then its path.
 * A plain `{detail: "…"}` of FastAPI reads as Django REST framework's, which
 * has the same shape.
 */
export const fastapi: EnvelopeReader = {
  name: 'fastapi',
  matches: (body) => {
    if (!isRecord(body)) return false;
    const first = recordsOf(member(body, 'detail'), 1)[0];
    return first !== undefined && Array.isArray(first['loc']) && stringMember(first, 'msg') !== undefined;
  },
  read: (body: JsonRecord) => {
    const items = recordsOf(body['detail']);
    return {
      message: stringMember(items[0] as JsonRecord, 'msg'),
      fieldErrors: items.flatMap((item) => {
        const loc = Array.isArray(item['loc'])
          ? (item['loc'] as unknown[]).filter(
              (token): token is string | number => typeof token === 'string' || typeof token === 'number',
            )
          : [];
        const location = locations[String(loc[0])];
        const path = location === undefined ? loc : loc.slice(1);
        return [fieldError(pointerOf(path), stringMember(item, 'msg'), stringMember(item, 'type'), location ?? 'body')];
      }),
    };
  },
};
