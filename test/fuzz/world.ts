// What a fuzz campaign runs against: a victim org full of canary data (every string it owns
// carries a unique marker, and its IDs are recorded), and an attacker org whose principals send
// the cases: anonymous, a candidate (join token), an API token with every scope, and a host.
// Fuzzed mutations log the host out, revoke the token or end the candidate's interview, so the
// principals are checked, and made again when void, before each batch.
import { randomBytes } from 'node:crypto';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from '../support/candidate-fixtures.ts';
import { GraphQLClient, uniqueEmail } from '../support/graphql.ts';
import type { KnownValues } from './hostile-values.ts';

export const PRINCIPALS = ['anonymous', 'candidate', 'apiToken', 'otherHost'] as const;
export type Principal = (typeof PRINCIPALS)[number];

const PASSWORD = 'correct horse battery';
const SIGN_UP = 'mutation($email: String!, $org: String!, $password: String!) { signUp(email: $email, password: $password, orgName: $org) { token host { id } } }';
const CREATE_INTERVIEW = 'mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }';
const INVITE = 'mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token candidate { id } } }';
const MOVE = (move: string) => `mutation($id: ID!) { ${move}(id: $id) { status } }`;
const CREATE_TOKEN = 'mutation($name: String!, $scopes: [ApiTokenScope!]!) { createApiToken(name: $name, scopes: $scopes) { token apiToken { id } } }';
const CREATE_WEBHOOK = 'mutation($url: String!) { createWebhook(url: $url, events: [INTERVIEW_COMPLETED, REPORT_READY]) { webhook { id } } }';
const ME = '{ me { org { id } host { id } apiToken { id } } }';
const HISTORY = `query($id: ID!) { interview(id: $id) { candidates(first: 10) { edges { node { id sessions { id violations(first: 10) { edges { node { id } } } } } } } } }`;
const ALL_SCOPES = ['ADMIN', 'INTERVIEWS_READ', 'INTERVIEWS_WRITE', 'LIVE'];

/** The victim's strings and IDs: none may reach another principal unless its request carried it. */
export interface Canaries {
  /** Common to every victim string: the cheap first check of a response. */
  marker: string;
  /** Every victim string, ID and secret, lower-case. */
  values: string[];
}

/** An interview with one invited candidate, moved along to `status`. */
async function plantInterview(host: GraphQLClient, title: string, candidate: { name: string; email: string }, status: 'SCHEDULED' | 'LIVE' | 'COMPLETED') {
  const interviewId = (await host.ok(CREATE_INTERVIEW, { title })).createInterview.interview.id as string;
  const invited = (await host.ok(INVITE, { id: interviewId, ...candidate })).inviteCandidate;
  let sessionId: string | undefined;
  if (status !== 'SCHEDULED') {
    await host.ok(MOVE('startInterview'), { id: interviewId });
    const asCandidate = host.withToken(invited.token);
    sessionId = (await asCandidate.ok(JOIN_SESSION, { device: DEVICE })).joinSession.id as string;
    await asCandidate.ok(REPORT_EVENTS, {
      sessionId,
      events: [{ seq: 0, type: 'TAB_SWITCH', occurredAt: new Date().toISOString(), durationMs: 800, metadata: { note: title } }],
    });
  }
  if (status === 'COMPLETED') await host.ok(MOVE('endInterview'), { id: interviewId });
  return { interviewId, candidateId: invited.candidate.id as string, joinToken: invited.token as string, sessionId };
}

/** Every string planted in the victim org (each contains the marker). */
function victimStrings(marker: string): string[] {
  const strings = [`${marker}-host@example.com`, `${marker}-org`, `${marker}-ping`, `${marker}-token`, `https://${marker}-hook.example.com/proctor`];
  for (const [i, status] of ['scheduled', 'live', 'completed'].entries()) strings.push(`${marker}-${status}`, `${marker}-cand-${i}`, `${marker}-cand-${i}@example.com`);
  return strings;
}

async function signUpAs(anonymous: GraphQLClient, email: string, org: string): Promise<{ client: GraphQLClient; hostId: string }> {
  const { signUp } = await anonymous.ok(SIGN_UP, { email, org, password: PASSWORD });
  return { client: anonymous.withToken(signUp.token), hostId: signUp.host.id };
}

/** Every ID the org's host can see: org, host, interviews, candidates, sessions, violations. */
async function idsOf(host: GraphQLClient, interviewIds: string[]): Promise<string[]> {
  const me = (await host.ok(ME)).me;
  const ids = [me.org.id, me.host.id, ...interviewIds];
  for (const id of interviewIds) {
    const { interview } = await host.ok(HISTORY, { id });
    for (const { node } of interview.candidates.edges) {
      ids.push(node.id);
      for (const session of node.sessions) ids.push(session.id, ...session.violations.edges.map((edge: { node: { id: string } }) => edge.node.id));
    }
  }
  return ids;
}

export class FuzzWorld {
  readonly baseUrl: string;
  readonly canaries: Canaries;
  /** The values cases are built from: both orgs' IDs, the victim's emails, the attacker's tokens. */
  readonly known: KnownValues;
  readonly #anonymous: GraphQLClient;
  readonly #victim: GraphQLClient;
  #host: GraphQLClient;
  readonly #hostEmail: string;
  #apiToken: string;
  #candidate: { token: string; interviewId: string };
  /** Principals made again because a case voided them, by principal. */
  readonly remade: Record<Principal, number> = { anonymous: 0, candidate: 0, apiToken: 0, otherHost: 0 };

  private constructor(init: {
    baseUrl: string;
    canaries: Canaries;
    known: KnownValues;
    victim: GraphQLClient;
    host: GraphQLClient;
    hostEmail: string;
    apiToken: string;
    candidate: { token: string; interviewId: string };
  }) {
    this.baseUrl = init.baseUrl;
    this.canaries = init.canaries;
    this.known = init.known;
    this.#anonymous = new GraphQLClient(init.baseUrl);
    this.#victim = init.victim;
    this.#host = init.host;
    this.#hostEmail = init.hostEmail;
    this.#apiToken = init.apiToken;
    this.#candidate = init.candidate;
  }

  static async create(baseUrl: string): Promise<FuzzWorld> {
    const anonymous = new GraphQLClient(baseUrl);
    const marker = `vctm${randomBytes(6).toString('hex')}`;
    const victim = await signUpAs(anonymous, `${marker}-host@example.com`, `${marker}-org`);
    const planted = [
      await plantInterview(victim.client, `${marker}-scheduled`, { name: `${marker}-cand-0`, email: `${marker}-cand-0@example.com` }, 'SCHEDULED'),
      await plantInterview(victim.client, `${marker}-live`, { name: `${marker}-cand-1`, email: `${marker}-cand-1@example.com` }, 'LIVE'),
      await plantInterview(victim.client, `${marker}-completed`, { name: `${marker}-cand-2`, email: `${marker}-cand-2@example.com` }, 'COMPLETED'),
    ];
    const live = planted[1]!;
    await victim.client.ok('mutation($id: ID!, $m: String!) { pingCandidate(candidateId: $id, message: $m) { delivered } }', { id: live.candidateId, m: `${marker}-ping` });
    const webhookId = (await victim.client.ok(CREATE_WEBHOOK, { url: `https://${marker}-hook.example.com/proctor` })).createWebhook.webhook.id as string;
    const victimToken = (await victim.client.ok(CREATE_TOKEN, { name: `${marker}-token`, scopes: ALL_SCOPES })).createApiToken;
    const victimIds = [
      ...(await idsOf(
        victim.client,
        planted.map((p) => p.interviewId),
      )),
      webhookId,
      victimToken.apiToken.id,
    ];
    const secrets = [victim.client.token!, victimToken.token, ...planted.map((p) => p.joinToken)];

    const hostEmail = uniqueEmail('fuzz-attacker');
    const attacker = await signUpAs(anonymous, hostEmail, 'Fuzz attacker');
    const own = [
      await plantInterview(attacker.client, 'Attacker scheduled', { name: 'Own candidate', email: 'own-0@example.com' }, 'SCHEDULED'),
      await plantInterview(attacker.client, 'Attacker live', { name: 'Own candidate', email: 'own-1@example.com' }, 'LIVE'),
      await plantInterview(attacker.client, 'Attacker completed', { name: 'Own candidate', email: 'own-2@example.com' }, 'COMPLETED'),
    ];
    const ownWebhook = (await attacker.client.ok(CREATE_WEBHOOK, { url: 'https://attacker-hook.example.com/proctor' })).createWebhook.webhook.id as string;
    const apiToken = (await attacker.client.ok(CREATE_TOKEN, { name: 'fuzz', scopes: ALL_SCOPES })).createApiToken;
    const ownIds = [
      ...(await idsOf(
        attacker.client,
        own.map((p) => p.interviewId),
      )),
      ownWebhook,
      apiToken.apiToken.id,
    ];

    const canaries: Canaries = {
      marker,
      values: [marker, ...victimStrings(marker), ...victimIds, ...secrets].map((value) => value.toLowerCase()),
    };
    const known: KnownValues = {
      ids: [...ownIds, ...victimIds],
      emails: [`${marker}-host@example.com`, `${marker}-cand-1@example.com`, 'own-1@example.com'],
      tokens: [own[1]!.joinToken, own[2]!.joinToken, apiToken.token as string, attacker.client.token!],
    };
    return new FuzzWorld({
      baseUrl,
      canaries,
      known,
      victim: victim.client,
      host: attacker.client,
      hostEmail,
      apiToken: apiToken.token as string,
      candidate: { token: own[1]!.joinToken, interviewId: own[1]!.interviewId },
    });
  }

  /** The bearer token a principal sends now (none for anonymous). */
  tokenOf(principal: Principal): string | undefined {
    switch (principal) {
      case 'anonymous':
        return undefined;
      case 'candidate':
        return this.#candidate.token;
      case 'apiToken':
        return this.#apiToken;
      case 'otherHost':
        return this.#host.token;
    }
  }

  /** Makes each principal that a case voided again: a fresh login, token or live interview. */
  async restore(): Promise<void> {
    if ((await this.#host.request(ME)).errors) {
      const { logIn } = await this.#anonymous.ok('mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { token } }', {
        email: this.#hostEmail,
        password: PASSWORD,
      });
      this.#host = this.#anonymous.withToken(logIn.token);
      this.known.tokens.push(logIn.token);
      this.remade.otherHost++;
    }
    if ((await this.#anonymous.withToken(this.#apiToken).request(ME)).errors) {
      const { createApiToken } = await this.#host.ok(CREATE_TOKEN, { name: 'fuzz', scopes: ALL_SCOPES });
      this.#apiToken = createApiToken.token;
      this.known.ids.push(createApiToken.apiToken.id);
      this.remade.apiToken++;
    }
    const session = await this.#anonymous.request('query($token: String!) { candidateSession(token: $token) { interview { status } } }', { token: this.#candidate.token });
    const status = session.data?.candidateSession?.interview.status;
    if (status !== 'LIVE' && status !== 'SCHEDULED') {
      const planted = await plantInterview(this.#host, 'Attacker live', { name: 'Own candidate', email: 'own-1@example.com' }, 'LIVE');
      this.#candidate = { token: planted.joinToken, interviewId: planted.interviewId };
      this.known.ids.push(planted.interviewId, planted.candidateId, planted.sessionId!);
      this.known.tokens.push(planted.joinToken);
      this.remade.candidate++;
    }
  }

  /** What the victim's host sees of its org: a case of another org must never change it. */
  async victimState(): Promise<string> {
    const { interviews, webhooks, apiTokens, me } = await this.#victim.ok(
      '{ me { org { name retentionDays } host { email } } interviews(first: 50) { edges { node { id title status } } } webhooks { id url events } apiTokens(first: 50) { edges { node { id name revokedAt } } } }',
    );
    return JSON.stringify({ me, interviews, webhooks, apiTokens });
  }
}
