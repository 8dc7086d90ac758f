import type { FastifyRequest, FastifyServerOptions } from 'fastify';

type LoggerSetting = NonNullable<FastifyServerOptions['logger']>;

/** Query parameters whose values are credentials: never written to a log. */
const secretParameters = /([?&](?:access_token|refresh_token|token|code|client_secret|password)=)[^&#]*/gi;

/** The URL with the values of credential parameters replaced, e.g. an access token a client put in the query. */
export function redactUrl(url: string): string {
  return url.replace(secretParameters, '$1[redacted]');
}

/** How a request appears in the log: pino's usual fields, with credentials in the URL redacted. */
export function requestForLog(request: FastifyRequest) {
  const port = request.socket?.remotePort;
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    ...(port === undefined ? {} : { remotePort: port }),
  };
}

/** The app's logger settings with the redacting request serializer; `false` stays off. */
export function withRequestRedaction(logger: FastifyServerOptions['logger']): LoggerSetting {
  if (logger === undefined || logger === false) return false;
  const settings = logger === true ? {} : logger;
  return { ...settings, serializers: { ...settings.serializers, req: requestForLog } };
}
