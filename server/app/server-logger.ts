import type { FastifyServerOptions } from 'fastify';

type LoggerOptions = Exclude<NonNullable<FastifyServerOptions['logger']>, boolean>;

/**
 * Structured JSON logs (pino, Fastify's own logger) that hold no secrets and no personal data:
 * a request is logged by method, route and status only — never its body, query string,
 * headers or address — and anything that still reaches a log under a secret's name is censored.
 */
export function serverLoggerOptions(level: string = 'info', stream?: NodeJS.WritableStream): LoggerOptions {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.passphrase',
        '*.token',
        '*.sessionKey',
        '*.session_key',
        '*.password_hash',
        '*.nik',
        // a database error quotes row values in these ("Key (nik)=(…) already exists")
        '*.detail',
        '*.where',
        '*.internalQuery',
        '*.applicant',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; routeOptions?: { url?: string }; id?: string }) {
        // the route's pattern, not the path: ids in paths (a verification id, a file) stay out
        return { id: request.id, method: request.method, route: request.routeOptions?.url ?? request.url.split('?')[0] };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}
