// An HTTP server that takes requests and never answers them: a webhook receiver that hangs, or a
// gateway that forwards plain requests to a real server but never completes a WebSocket handshake.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HangingServer {
  url: string;
  /** Resolves once a request (or WebSocket upgrade) has arrived and is being left unanswered. */
  hanging: Promise<void>;
  close(): Promise<void>;
}

/** With `forwardTo`, plain requests go through to that server and only WebSocket upgrades hang. */
export async function startHangingServer(options: { forwardTo?: string } = {}): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let hang: () => void = () => {};
  const hanging = new Promise<void>((resolve) => (hang = resolve));
  const server = createServer((incoming, outgoing) => {
    if (!options.forwardTo) return hang();
    const target = new URL(incoming.url ?? '/', options.forwardTo);
    const forwarded = httpRequest(target, { method: incoming.method, headers: { ...incoming.headers, host: target.host } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', () => hang());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hanging,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
