import type { CheckDefinition, Finding } from '../check-definition.js';
import { recognizeErrorShape } from '../error-shape.js';
import { isError, mediaType, type Exchange } from '../exchange.js';
import { line } from './support.js';

const maxTypeFetches = 5;

/** Check 10: codes and statuses agree with the catalog; problem `type` URIs resolve. */
export const catalogCodes: CheckDefinition = {
  id: 'catalog-codes',
  number: 10,
  title: 'Codes agree with the catalog; type URIs resolve',
  severity: 'error',
  phase: 'review',
  sends:
    'A GET for each distinct problem "type" URI on the target\'s origin (at most five); otherwise it reads the error answers the other checks received.',
  expects:
    'With --catalog: every error code is in the catalog and comes with a status the catalog allows for it. Every problem "type" on the target\'s origin answers 200, and its #fragment is an anchor of that page.',
  why: 'Clients branch on codes; a code the catalog does not list, or one sent with a status the catalog does not give it, breaks the promise the catalog makes. A "type" URI is meant to be followed by a person: a link to nothing turns documentation into a dead end.',
  remedy:
    'Raise every error from the catalog (never a hand-written code string), take the status from the catalog entry, and generate the error reference page from the same catalog so each code has an anchor.',
  async run(context) {
    const errors = context.exchanges.filter(
      (exchange): exchange is Exchange & { response: NonNullable<Exchange['response']> } =>
        isError(exchange) && exchange.faultedBy === undefined && exchange.response.json !== undefined,
    );
    const findings: Finding[] = [];
    const types = new Map<string, Exchange>();
    let coded = 0;
    for (const exchange of errors) {
      const { response } = exchange;
      const shape = recognizeErrorShape(response.json, mediaType(response));
      if (shape.type !== undefined && shape.type !== 'about:blank' && !types.has(shape.type)) types.set(shape.type, exchange);
      if (context.catalog === undefined || shape.code === undefined) continue;
      coded += 1;
      const statuses = context.catalog.statusesOf(shape.code);
      if (statuses === undefined)
        findings.push({ message: `${line(exchange)}: the code "${shape.code}" is not in the catalog`, exchange });
      else if (!statuses.has(response.status)) {
        findings.push({
          message: `${line(exchange)}: the catalog gives "${shape.code}" the status ${[...statuses].join(' or ')}, not ${response.status}`,
          exchange,
        });
      }
    }
    const pages = new Map<string, string | undefined>();
    let fetched = 0;
    for (const [type, exchange] of types) {
      let url: URL;
      try {
        url = new URL(type, context.base.origin + exchange.request.target);
      } catch {
        findings.push({ message: `the problem type "${type}" is not a URI`, exchange });
        continue;
      }
      if (url.origin !== context.base.origin) continue;
      const page = url.pathname + url.search;
      if (!pages.has(page)) {
        if (fetched >= maxTypeFetches) continue;
        fetched += 1;
        const answer = await context.send({
          method: 'GET',
          path: page,
          fromOrigin: true,
          headers: [['Accept', 'text/html, */*;q=0.5']],
        });
        pages.set(page, answer.response?.status === 200 ? answer.response.body : undefined);
        if (answer.response?.status !== 200) {
          findings.push({
            message: `the problem type ${type} does not resolve: GET ${page} → ${answer.response?.status ?? answer.failure?.message}`,
            exchange: answer,
          });
          continue;
        }
      }
      const body = pages.get(page);
      const anchor = url.hash.slice(1);
      if (
        body !== undefined &&
        anchor !== '' &&
        !new RegExp(`(id|name)=["']?${anchor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["'\\s>]`).test(body)
      ) {
        findings.push({ message: `the problem type ${type}: the page has no anchor "${anchor}"`, exchange });
      }
    }
    if (context.catalog === undefined && types.size === 0)
      return { skipped: 'no --catalog given, and no problem "type" URI seen', findings: [] };
    return {
      findings,
      covered: `${coded} coded errors${context.catalog === undefined ? ' (no --catalog)' : ''}, ${types.size} type URIs`,
    };
  },
};
