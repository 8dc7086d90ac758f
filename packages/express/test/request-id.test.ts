import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, closeServers, listen, send, sendJson, uuidPattern } from './helpers.js';

afterEach(closeServers);

async function app(): Promise<string> {
  const test = buildApp();
  test.app.get('/ok', (req, res) => void res.json({ id: (req as { id?: string }).id }));
  test.app.post('/ok', test.contract.json(), (_req, res) => void res.json({}));
  test.app.get('/fails', () => {
    throw new Error('x');
  });
  return listen(test);
}

describe('x-request-id', () => {
  it('is on a success, a 404, a 405, a 400 and a 500, each its own', async () => {
    const base = await app();
    const answers = await Promise.all([
      send(base, { path: '/ok' }),
      send(base, { path: '/nope' }),
      send(base, { method: 'DELETE', path: '/ok' }),
      send(base, { method: 'POST', path: '/ok', body: '{', headers: { 'content-type': 'application/json' } }),
      send(base, { path: '/fails' }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 404, 405, 400, 500]);
    const ids = answers.map((answer) => answer.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(uuidPattern);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps a well-formed incoming id, on req.id too', async () => {
    const base = await app();
    const answer = await send(base, { path: '/ok', headers: { 'x-request-id': 'edge-42:abc.DEF_9' } });
    expect(answer.headers['x-request-id']).toBe('edge-42:abc.DEF_9');
    expect(JSON.parse(answer.text)).toEqual({ id: 'edge-42:abc.DEF_9' });
  });

  it('replaces an id that could inject into logs or headers', async () => {
    const base = await app();
    for (const given of ['has space', 'x'.repeat(129), 'quote"d', 'new\\nline']) {
      const answer = await sendJson(base, 'POST', '/nope', {}, { 'x-request-id': given });
      expect(answer.headers['x-request-id']).toMatch(uuidPattern);
      expect(answer.text).not.toContain(given);
    }
  });

  it('is on the answer to a request Node cannot parse', async () => {
    const base = await app();
    const { port } = new URL(base);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /ok HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
  });
});
