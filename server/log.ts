// Structured JSON logs; every line logged while serving a request carries its request id.
// Credentials never reach a log line, whichever code passes them in: bearer headers and
// tokens are redacted by key.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.ts';
import { currentRequest } from './request-context.ts';

export type { Logger };

const SECRET_KEYS = ['authorization', 'token', 'joinToken', 'password', 'connectionParams'];
const REDACTED_KEYS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      name: 'proctor',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_KEYS, censor: '[redacted]' },
      mixin: () => {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
    },
    destination,
  );
}
