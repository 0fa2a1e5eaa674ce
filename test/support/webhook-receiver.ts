// A real local HTTP endpoint that records what webhooks POST to it, answering with the statuses
// it is told to (e.g. [500, 500] then 200 for everything after).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from './until.ts';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves once `count` requests have arrived (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(failFirst: number[] = []): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const statuses = [...failFirst];
  const waiters: (() => void)[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    async waitFor(count, timeoutMs = 60_000) {
      const arrived = new Promise<ReceivedRequest[]>((resolve) => {
        const check = () => (received.length >= count ? resolve(received) : waiters.push(check));
        check();
      });
      return within(`${count} webhook requests`, arrived, timeoutMs).catch(() => {
        throw new Error(`expected ${count} webhook requests within ${timeoutMs} ms, got ${received.length}`);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
