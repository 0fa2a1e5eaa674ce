// Structured JSON logs; every line logged while serving a request carries its request id.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.ts';
import { currentRequest } from './request-context.ts';

export type { Logger };

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      name: 'proctor',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
    },
    destination,
  );
}
