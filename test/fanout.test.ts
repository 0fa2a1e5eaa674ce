// Two server processes on one PostgreSQL database: a host connected to one hears a candidate
// connected to the other, and a ping crosses back (LISTEN/NOTIFY). The embedded database is a
// single process, so this runs only against a server.
import assert from 'node:assert/strict';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, type WsClient } from './support/live.ts';
import { USING_SERVER } from './support/platform.ts';
import { withTwoServers } from './support/proctor-cli.ts';
import { until } from './support/until.ts';
import { DEVICE, JOIN_SESSION } from './support/candidate-fixtures.ts';
import { START_INTERVIEW } from './support/host-operations.ts';

describe('live events across server processes (PostgreSQL server)', () => {
  it('fans out alerts and pings between two `proctor up` processes', async function () {
    if (!USING_SERVER) {
      console.log('      (skipped: needs PROCTOR_TEST_DATABASE_URL; the embedded database is one process)');
      this.skip();
    }
    await withTwoServers(async (urlA, urlB) => {
      const sockets: WsClient[] = [];
      try {
        const { client: host } = await signUp(new GraphQLClient(urlA));
        const id = (await host.ok('mutation { createInterview(input: { title: "Two processes" }) { interview { id } } }')).createInterview.interview.id;
        const invite = (await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Cy", email: "cy@example.com") { token candidate { id } } }', { id }))
          .inviteCandidate;
        await host.ok(START_INTERVIEW, { id });

        const hostSocket = connect(urlA, host.token); // process A
        const candidate = connect(urlB, invite.token); // process B
        sockets.push(hostSocket, candidate);
        const watcher = hostSocket.subscribe('subscription($id: ID!) { interviewEvents(interviewId: $id) { __typename ... on LiveAlert { type severity occurredAt } } }', { id });
        const inbox = candidate.subscribe('subscription { candidateMessages { message } }');
        // Each process says on /metrics when it has the subscription in place.
        await until('the host subscription on process A', async () =>
          /^proctor_live_subscriptions\{channel="interviewEvents"\} 1$/m.test(await (await fetch(`${urlA}/metrics`)).text()),
        );
        await until('the candidate subscription on process B', async () =>
          /^proctor_live_subscriptions\{channel="candidateMessages"\} 1$/m.test(await (await fetch(`${urlB}/metrics`)).text()),
        );

        const { id: sessionId } = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession;
        assert.equal((await watcher.next()).data.interviewEvents.__typename, 'CandidateJoined');
        const occurredAt = new Date().toISOString();
        await candidate.request('mutation($s: ID!, $e: [EventInput!]!) { reportEvents(sessionId: $s, events: $e) { accepted } }', {
          s: sessionId,
          e: [{ seq: 0, type: 'MULTIPLE_FACES', occurredAt }],
        });
        assert.deepEqual((await watcher.next()).data.interviewEvents, { __typename: 'LiveAlert', type: 'MULTIPLE_FACES', severity: 'CRITICAL', occurredAt });

        const ping = await host.ok('mutation($c: ID!) { pingCandidate(candidateId: $c, message: "Who is next to you?") { delivered } }', { c: invite.candidate.id });
        assert.equal(ping.pingCandidate.delivered, false, 'nobody listens on process A itself');
        assert.deepEqual((await inbox.next()).data.candidateMessages, { message: 'Who is next to you?' });

        // Accommodations set on process A reach the session process B holds in memory: from then
        // on B stores the candidate's look-aways as accommodated (polled: the relay is asynchronous).
        await host.ok('mutation($c: ID!) { setAccommodations(candidateId: $c, accommodations: { ignore: [LOOKING_AWAY] }) { id } }', { c: invite.candidate.id });
        let seq = 0;
        await until('a look-away stored as accommodated by process B', async () => {
          await candidate.request('mutation($s: ID!, $e: [EventInput!]!) { reportEvents(sessionId: $s, events: $e) { accepted } }', {
            s: sessionId,
            e: [{ seq: ++seq, type: 'LOOKING_AWAY', occurredAt: new Date().toISOString() }],
          });
          const { interview } = await host.ok(
            'query($id: ID!) { interview(id: $id) { candidates { edges { node { sessions { violations { edges { node { type accommodated } } } } } } } } }',
            {
              id,
            },
          );
          const violations = interview.candidates.edges[0].node.sessions.flatMap((session: any) => session.violations.edges.map((edge: any) => edge.node));
          return violations.some((v: any) => v.type === 'LOOKING_AWAY' && v.accommodated);
        });
      } finally {
        await Promise.all(sockets.map((s) => s.dispose()));
      }
    });
  });
});
