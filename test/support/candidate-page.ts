// Drives the real candidate page in headless Chromium against a real server: an interview with
// an invited candidate, a host watching interviewEvents, and the page walked through consent and
// the device check into the session.
import type { Page } from 'playwright-core';
import { GraphQLClient, signUp } from './graphql.ts';
import { connect, type Subscription, type WsClient } from './live.ts';
import type { TestBrowser } from './browser.ts';
import { START_INTERVIEW } from './host-operations.ts';

export const ALERTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { sessionId resumed }
  ... on LiveAlert { violationId type severity count durationMs }
} }`;

export interface InterviewFixture {
  host: GraphQLClient;
  interviewId: string;
  candidateId: string;
  link: string;
  token: string;
}

export async function liveInterview(url: string, config: Record<string, unknown> = {}, options: { scheduledAt?: string; start?: boolean } = {}): Promise<InterviewFixture> {
  const { client: host } = await signUp(new GraphQLClient(url));
  const created = await host.ok(
    'mutation($config: InterviewConfigInput, $at: DateTime) { createInterview(input: { title: "Backend engineer", config: $config, scheduledAt: $at }) { interview { id } } }',
    {
      config,
      at: options.scheduledAt ?? null,
    },
  );
  const interviewId = created.createInterview.interview.id as string;
  const invited = await host.ok('mutation($id: ID!) { inviteCandidate(interviewId: $id, name: "Ada Lovelace", email: "ada@example.com") { link token candidate { id } } }', {
    id: interviewId,
  });
  if (options.start !== false) await host.ok(START_INTERVIEW, { id: interviewId });
  const { link, token, candidate } = invited.inviteCandidate;
  return { host, interviewId, candidateId: candidate.id, link, token };
}

/** A host socket watching the interview; collects every event it sees. */
export class AlertWatcher {
  readonly socket: WsClient;
  readonly #subscription: Subscription;
  readonly seen: any[] = [];

  constructor(url: string, fixture: InterviewFixture) {
    this.socket = connect(url, fixture.host.token);
    this.#subscription = this.socket.subscribe(ALERTS, { id: fixture.interviewId });
  }

  /** Waits for an alert of this type (or fails after `timeoutMs`). */
  async waitFor(type: string, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    const found = () => this.seen.find((e) => e.type === type);
    while (!found()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} alert within ${timeoutMs} ms; saw ${JSON.stringify(this.seen.map((e) => e.type ?? e.__typename))}`);
      try {
        this.seen.push((await this.#subscription.next(left)).data.interviewEvents);
      } catch {
        // timed out: the loop reports it
      }
    }
    return found();
  }

  /** Everything that arrives within `ms`. */
  async drain(ms: number): Promise<any[]> {
    const until = Date.now() + ms;
    for (let left = ms; left > 0; left = until - Date.now()) {
      try {
        this.seen.push((await this.#subscription.next(left)).data.interviewEvents);
      } catch {
        break;
      }
    }
    return this.seen;
  }

  close(): Promise<void> {
    this.#subscription.stop();
    return this.socket.dispose();
  }
}

/** Opens the link (in `page`, or a new one) and goes through consent and the device check; resolves once joined. */
export async function joinAsCandidate(browser: TestBrowser, link: string, options: { screenshots?: string; page?: Page } = {}): Promise<Page> {
  const page = options.page ?? (await browser.context.newPage());
  page.on('pageerror', (error) => console.error(`candidate page error: ${error.message}`));
  await page.goto(link);
  await page.waitForSelector('#agree');
  if (options.screenshots) await page.screenshot({ path: `${options.screenshots}/candidate-consent.png` });
  await page.click('#agree');
  await page.waitForSelector('#continue:not([disabled])', { timeout: 30_000 });
  if (options.screenshots) {
    await page.waitForSelector('#face-status[data-faces]', { timeout: 20_000 });
    await page.screenshot({ path: `${options.screenshots}/candidate-device-check.png` });
  }
  await page.click('#continue');
  await page.waitForSelector('body[data-session]', { timeout: 20_000 });
  if (options.screenshots) await page.screenshot({ path: `${options.screenshots}/candidate-joined.png` });
  return page;
}
