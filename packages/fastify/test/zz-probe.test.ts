import Fastify from 'fastify';
import { it } from 'vitest';
import { faultline, faultlineServerOptions } from '@faultline/fastify';

it('probe', async () => {
  for (const extra of [{ ignoreTrailingSlash: true }, { routerOptions: { ignoreTrailingSlash: true } }, { routerOptions: { caseSensitive: false } }]) {
  const app = Fastify({ ...faultlineServerOptions({ bodyLimit: 100 }), logger: false, ...extra } as any);
  await app.register(faultline, { profile: 'problem' });
  app.get('/v1/things/:id', async () => ({ ok: true }));
  const show = async (o: any) => { const r = await app.inject(o); console.log(JSON.stringify(extra), o.method ?? 'GET', o.url, r.statusCode, r.headers.allow, r.body.slice(0, 100)); };
  await show({ method: 'GET', url: '/v1/things/5/' });
  await show({ method: 'DELETE', url: '/v1/things/5/' });
  await show({ method: 'GET', url: '/V1/things/5' });
  await show({ method: 'DELETE', url: '/V1/things/5' });
  await app.close();
  }
});
