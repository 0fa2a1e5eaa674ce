// The live bench against a server that stops answering mid-run, as a saturated one does: a real
// `proctor up` process frozen with SIGSTOP. Every wait the bench makes on it must end in bounded
// time with a Limit that says what did not answer (and, during set-up, how far it got), so the
// bench can report the step instead of hanging for minutes. SIGCONT lets the server stop cleanly.
import assert from 'node:assert/strict';
import { GraphQLWsSocket } from '../bench/support/graphql-ws-client.ts';
import { Limit } from '../bench/support/limits.ts';
import { LiveLoad } from '../bench/support/live-load.ts';
import { freePort, ProctorProcess } from '../bench/support/proctor-process.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { databaseAgnostic, describeDatabase, freshStorage } from './support/platform.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';

describe(`the live bench against a server that stops answering (${describeDatabase()})`, function () {
  // `proctor up` in its own process (a first start on the embedded database takes minutes on a
  // busy 2-core machine), plus one 15 s set-up deadline.
  this.timeout(300_000);
  let storage: Awaited<ReturnType<typeof freshStorage>>;
  let server: ProctorProcess;
  let load: LiveLoad;

  before(async function () {
    databaseAgnostic(this); // the bench's own deadlines against a frozen process
    storage = await freshStorage();
    server = await ProctorProcess.start({ port: await freePort(), dataDir: storage.env.PROCTOR_DATA_DIR!, databaseUrl: storage.env.PROCTOR_DATABASE_URL });
    load = await LiveLoad.prepare(server.url, 2);
    await load.addCandidates(2, new AbortController().signal, () => {});
  });

  afterEach(() => {
    process.kill(server.pid, 'SIGCONT');
  });

  after(async () => {
    await load?.close();
    await server?.stop();
    await storage?.drop();
  });

  it('ends a mutation on an open socket with an ack timeout once its deadline passes', async () => {
    const invitation = await freshSocket(server.url);
    process.kill(server.pid, 'SIGSTOP');
    try {
      await assert.rejects(invitation.request(JOIN_SESSION, { device: DEVICE }, 1_000), (error: unknown) => {
        assert.ok(error instanceof Limit);
        assert.equal(error.kind, 'ack timeout');
        assert.match(error.message, /no answer to joinSession within 1 s/);
        return true;
      });
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await invitation.close();
    }
  });

  it('stops adding candidates with a Limit saying how many joined, and keeps the ones that did', async () => {
    const before = load.candidates.length;
    process.kill(server.pid, 'SIGSTOP');
    await assert.rejects(
      load.addCandidates(3, new AbortController().signal, () => {}),
      (error: unknown) => {
        assert.ok(error instanceof Limit);
        assert.equal(error.kind, 'ack timeout');
        assert.match(error.message, /^0 of 3 candidates joined, then inviteCandidate: /);
        return true;
      },
    );
    assert.equal(load.candidates.length, before, 'the candidates that joined before stay');
  });
});

/** A socket authenticated as a freshly invited candidate of a fresh host. */
async function freshSocket(url: string): Promise<GraphQLWsSocket> {
  const { client: host } = await signUp(new GraphQLClient(url));
  const created = await host.ok('mutation { createInterview(input: { title: "Bench" }) { interview { id } } }');
  const id = created.createInterview.interview.id;
  const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Bench", email: "bench@example.com") { token } }', { id });
  return GraphQLWsSocket.open(`${url.replace(/^http/, 'ws')}/graphql`, `Bearer ${invited.inviteCandidate.token}`);
}
