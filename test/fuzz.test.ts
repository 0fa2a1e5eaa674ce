// The fuzz suite, short: a fixed seed's first cases (operations generated from the SDL with
// hostile values, over HTTP and graphql-ws, as four principals), judged like `npm run fuzz`
// judges them: no unexpected code or 5xx, no victim data, the server healthy throughout. Then
// what the fuzzer found, each pinned by a case of its own.
import assert from 'node:assert/strict';
import { FUZZ_PLATFORM, runCampaign } from './fuzz/campaign.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

/** Fixed, so a failure here replays with `npm run fuzz -- --seed 20261202 --only <case>`. */
const SEED = 20261202;
const CASES = 400;

describe(`GraphQL fuzzing (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let socket: WsClient;

  before(async () => {
    server = await startTestPlatform(FUZZ_PLATFORM);
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    socket = connect(server.url, host.token);
  });
  after(async () => {
    await socket?.dispose();
    await server?.stop();
  });

  it(`answers ${CASES} generated hostile cases with documented codes only, leaking nothing of another org`, async () => {
    const { summary, rootFields } = await runCampaign({ url: server.url, services: server.platform.services }, { seed: SEED, cases: CASES });
    assert.equal(summary.cases, CASES);
    assert.ok(summary.fieldsCovered >= rootFields * 0.9, `covered ${summary.fieldsCovered} of ${rootFields} root fields`);
    assert.deepEqual(summary.failures, [], summary.format(rootFields));
  });

  /** The first error's code and message, over HTTP and over graphql-ws: both must agree. */
  async function refusal(query: string, variables: Record<string, unknown>): Promise<{ code: unknown; message: string }> {
    const http = await host.error(query, variables);
    const ws = await socket.request(query, variables).then(
      (data) => assert.fail(`expected an error over graphql-ws, got ${JSON.stringify(data)}`),
      // Refused while subscribing, the errors themselves; refused while running, a result's errors.
      (error: unknown) => (Array.isArray(error) ? error : JSON.parse((error as Error).message))[0] as { message: string; extensions?: { code?: string } },
    );
    assert.deepEqual({ code: ws.extensions?.code, message: ws.message }, http, 'the same refusal over graphql-ws');
    return http;
  }

  describe('what the fuzzer found', () => {
    it('text PostgreSQL cannot store (NUL, a lone surrogate) is BAD_USER_INPUT naming the field, not an internal error', async () => {
      const create = 'mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }';
      assert.deepEqual(await refusal(create, { title: 'before\u0000after' }), {
        code: 'BAD_USER_INPUT',
        message: 'title: contains a NUL character (\\u0000), which cannot be stored',
      });
      assert.deepEqual(await refusal(create, { title: 'lone \ud800 surrogate' }), {
        code: 'BAD_USER_INPUT',
        message: 'title: contains a lone UTF-16 surrogate (not Unicode text)',
      });
      const invite = 'mutation($id: ID!, $email: String!) { inviteCandidate(interviewId: $id, name: "Ada", email: $email) { token } }';
      const { createInterview } = await host.ok(create, { title: 'Fuzz regression' });
      const badEmail = await refusal(invite, { id: createInterview.interview.id, email: 'ada\u0000@example.com' });
      assert.equal(badEmail.code, 'BAD_USER_INPUT');
      assert.match(badEmail.message, /^email: .* is not a valid email address$/);
    });

    it('a login with an email no row can hold gets the generic answer', async () => {
      const login = 'mutation($email: String!) { logIn(email: $email, password: "correct horse battery") { token } }';
      assert.deepEqual(await host.withToken('').error(login, { email: 'a\u0000@example.com' }), { code: 'UNAUTHENTICATED', message: 'Invalid email or password' });
    });

    it('a syntax error is GRAPHQL_PARSE_FAILED over graphql-ws as over HTTP', async () => {
      const query = 'query { interview(id: "\\ud83d") { id } }';
      assert.equal((await refusal(query, {})).code, 'GRAPHQL_PARSE_FAILED');
      assert.equal((await refusal('{ me \u0000 }', {})).code, 'GRAPHQL_PARSE_FAILED');
    });

    it('a variable that does not fit its type is BAD_USER_INPUT, not an error without a code', async () => {
      const wrongInt = await refusal('query($first: Int) { interviews(first: $first) { edges { cursor } } }', { first: 1.5 });
      assert.equal(wrongInt.code, 'BAD_USER_INPUT');
      assert.match(wrongInt.message, /Int cannot represent non-integer value: 1\.5/);
      const missing = await refusal('mutation($id: ID!) { startInterview(id: $id) { id } }', {});
      assert.equal(missing.code, 'BAD_USER_INPUT');
      const badEnum = await refusal('query($status: InterviewStatus) { interviews(status: $status) { edges { cursor } } }', { status: 'NOPE' });
      assert.equal(badEnum.code, 'BAD_USER_INPUT');
    });
  });
});
