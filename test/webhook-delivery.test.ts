// Webhook delivery against hostile receivers, on a real server, database and sockets: a receiver
// whose name resolves to a private address is refused when delivering (not only when the URL is
// created), a redirect is an answer that is not followed, an endless or stalled answer is cut
// off, and nothing a receiver sends back is kept in the delivery log.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview } from './support/interview-flow.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';

const RETRIES = { PROCTOR_JOB_RETRY_DELAY: '100ms', PROCTOR_JOB_ATTEMPTS: '2' };
const CREATE_WEBHOOK = 'mutation($url: String!) { createWebhook(url: $url, events: [INTERVIEW_COMPLETED]) { webhook { id } } }';
const DELIVERIES = 'query { webhooks { id deliveries { edges { node { status attempts lastStatusCode lastError } } } } }';

interface Delivery {
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

/** A receiver on loopback (IPv4 and IPv6) answering every request with `answer`. */
interface ScriptedReceiver {
  port: number;
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function startReceiver(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<ScriptedReceiver> {
  const sockets = new Set<Socket>();
  const receiver = { port: 0, url: '', requests: 0, close: async () => {} };
  const server = createServer((request, response) => {
    receiver.requests += 1;
    request.resume().once('end', () => answer(request, response));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  receiver.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return receiver;
}

/** Ends an interview of the host's org and waits until every delivery it caused is settled. */
async function deliverAll(server: TestPlatform, host: GraphQLClient, expected: number): Promise<Map<string, Delivery>> {
  await runInterview(server.url, host, {});
  return until(`${expected} settled deliveries`, async () => {
    const { webhooks } = await host.ok<{ webhooks: { id: string; deliveries: { edges: { node: Delivery }[] } }[] }>(DELIVERIES);
    const log = new Map(webhooks.flatMap((hook) => hook.deliveries.edges.map((edge) => [hook.id, edge.node] as const)));
    return log.size === expected && [...log.values()].every((d) => d.status !== 'PENDING') && log;
  });
}

describe(`webhook delivery (${describeDatabase()})`, () => {
  const receivers: ScriptedReceiver[] = [];
  async function receiver(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<ScriptedReceiver> {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  }
  after(() => Promise.all(receivers.map((r) => r.close())));

  describe('with private receivers refused (the default)', () => {
    let server: TestPlatform;
    before(async () => {
      server = await startTestPlatform({}, RETRIES);
    });
    after(() => server?.stop());

    it('refuses a webhook URL on a loopback, private, reserved or local-only host, however it is spelled', async () => {
      const { client: host } = await signUp(new GraphQLClient(server.url));
      const refused = [
        'http://localhost./hooks',
        'http://2130706433/hooks',
        'http://0.0.0.0/hooks',
        'http://[::1]/hooks',
        'http://[::ffff:127.0.0.1]/hooks',
        'http://[::127.0.0.1]/hooks',
        'http://[fd00::1]/hooks',
        'http://100.64.0.1/hooks',
        'http://169.254.169.254/latest/meta-data',
        'http://[64:ff9b::a9fe:a9fe]/latest/meta-data',
        'http://224.0.0.1/hooks',
        'http://255.255.255.255/hooks',
        'http://192.0.0.8/hooks',
        'http://metadata.google.internal/computeMetadata/v1',
      ];
      for (const url of refused) {
        const error = await host.error(CREATE_WEBHOOK, { url });
        assert.equal(error.code, 'BAD_USER_INPUT', url);
        assert.match(error.message, /loopback, private or reserved address/, url);
      }
      for (const url of ['https://ats.example.com/hooks', 'http://93.184.215.14/hooks', 'https://[2606:4700::1111]/hooks']) await host.ok(CREATE_WEBHOOK, { url });
    });

    it('refuses to deliver to a host that turns out to be a private address, and never reaches it', async () => {
      const target = await receiver((_, response) => response.end('ok'));
      const { client: host } = await signUp(new GraphQLClient(server.url));
      // Each webhook was accepted under a public-looking URL; by delivery time its host is (or
      // resolves to) this machine: a DNS answer that changed, or a URL stored before this check.
      const now = [
        `http://localhost:${target.port}/hooks`,
        `http://127.0.0.1:${target.port}/hooks`,
        `http://2130706433:${target.port}/hooks`,
        `http://0.0.0.0:${target.port}/hooks`,
        `http://[::1]:${target.port}/hooks`,
        `http://[::ffff:127.0.0.1]:${target.port}/hooks`,
      ];
      const sql = server.platform.orm.em.getConnection();
      for (const url of now) {
        const { createWebhook } = await host.ok(CREATE_WEBHOOK, { url: 'https://ats.example.com/hooks' });
        await sql.execute('update webhooks set url = ? where id = ?', [url, createWebhook.webhook.id]);
      }
      const log = await deliverAll(server, host, now.length);
      for (const delivery of log.values()) {
        assert.equal(delivery.status, 'FAILED');
        assert.equal(delivery.attempts, 2);
        assert.equal(delivery.lastStatusCode, null);
        assert.match(delivery.lastError!, /^refused: .* is not a public address/);
      }
      assert.equal(target.requests, 0, 'the receiver on loopback was never reached');
    });
  });

  describe('with private receivers allowed (receivers on loopback)', () => {
    let server: TestPlatform;
    before(async () => {
      server = await startTestPlatform({}, { ...RETRIES, PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_WEBHOOK_TIMEOUT: '1500ms' });
    });
    after(() => server?.stop());

    async function deliverTo(url: string): Promise<Delivery> {
      const { client: host } = await signUp(new GraphQLClient(server.url));
      await host.ok(CREATE_WEBHOOK, { url });
      return [...(await deliverAll(server, host, 1)).values()][0]!;
    }

    it('counts a redirect as a failed delivery and does not follow it', async () => {
      const elsewhere = await receiver((_, response) => response.end('ok'));
      const redirecting = await receiver((_, response) => response.writeHead(307, { location: elsewhere.url }).end('moved to the admin panel at 10.0.0.5'));
      const delivery = await deliverTo(redirecting.url);
      assert.deepEqual(delivery, { status: 'FAILED', attempts: 2, lastStatusCode: 307, lastError: 'HTTP 307: redirects are not followed' });
      assert.equal(redirecting.requests, 2);
      assert.equal(elsewhere.requests, 0, 'the redirect target was never asked');
    });

    it('keeps the status code and a reason of its own, never what the receiver answered', async () => {
      const leaky = await receiver((_, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end('Traceback: DATABASE_PASSWORD=hunter2'));
      const delivery = await deliverTo(leaky.url);
      assert.deepEqual(delivery, { status: 'FAILED', attempts: 2, lastStatusCode: 500, lastError: 'HTTP 500' });
    });

    it('stops reading an endless answer after a few kilobytes and hangs up', async () => {
      let written = 0;
      let writtenWhenCutOff = -1;
      let cutOff!: () => void;
      const hungUp = new Promise<void>((resolve) => (cutOff = resolve));
      const endless = await receiver((request, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        // Paced, so a client that reads to the end (or to its timeout) gets far more than one that stops.
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const timer = setInterval(() => {
          response.write(chunk);
          written += chunk.length;
        }, 20);
        request.socket.once('close', () => {
          clearInterval(timer);
          writtenWhenCutOff = written;
          cutOff();
        });
      });
      const delivery = await deliverTo(endless.url);
      assert.deepEqual(delivery, { status: 'DELIVERED', attempts: 1, lastStatusCode: 200, lastError: null });
      await hungUp;
      assert.ok(writtenWhenCutOff < 256 * 1024, `the receiver got to write ${writtenWhenCutOff} bytes before the delivery hung up`);
    });

    it('fails a delivery whose receiver stalls in the middle of its answer', async () => {
      const stalling = await receiver((_, response) => {
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
        response.write('a partial answer, then nothing');
      });
      const delivery = await deliverTo(stalling.url);
      assert.deepEqual(delivery, { status: 'FAILED', attempts: 2, lastStatusCode: 200, lastError: 'no complete answer within 1500 ms' });
    });
  });
});
