import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { buildApp, captureLogs, closeApps } from './helpers.js';

afterEach(closeApps);

describe('every error response is sent exactly once', () => {
  it('logs no "already sent" warning for a 404, a 405, a thrown ApiError, a schema failure or a 500', async () => {
    const logs = captureLogs();
    const app = await buildApp({ logStream: logs.stream });
    app.get('/v1/things/:id', { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async () => {
      throw builtinCatalog.error('not_found');
    });
    app.get('/v1/boom', () => {
      throw new Error('boom');
    });
    const statuses = [];
    for (const request of [
      { method: 'GET', url: '/nowhere' },
      { method: 'DELETE', url: '/v1/things/1' },
      { method: 'GET', url: '/v1/things/1' },
      { method: 'GET', url: '/v1/things/abc' },
      { method: 'GET', url: '/v1/boom' },
    ] as const) {
      statuses.push((await app.inject(request)).statusCode);
    }
    expect(statuses).toEqual([404, 405, 404, 400, 500]);
    const warnings = logs.lines.filter(
      (line) => line.level >= 40 && line.msg !== 'Unexpected error; answered with internal_error',
    );
    expect(warnings.map((line) => line.err?.type ?? line.msg)).toEqual([]);
    expect(JSON.stringify(logs.lines)).not.toContain('FST_ERR_REP_ALREADY_SENT');
  });
});
