// The candidate statement page in headless Chromium: the flags, verdicts and decision in plain
// words; a statement written and sent with the keyboard alone, shown back as text (the hostile
// markup in it does nothing); a second statement from another tab refused and the first shown;
// an expired and a broken link each with a page that says so.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { TokenSigner } from '../server/auth/jwt.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

const JWT_SECRET = 'statement-page-test-secret-0123456789abcdef';
const HOSTILE = `I was reading the allowed docs. <img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>\nSecond line & "quotes".`;

describe(`candidate statement page (${describeDatabase()})`, function () {
  this.timeout(120_000);
  let server: TestPlatform;
  let browser: TestBrowser;
  let host: GraphQLClient;

  before(async function () {
    databaseAgnostic(this); // the page in Chromium; the statement's API runs on both databases in candidate-statement.test.ts
    await ensureClientBuilt();
    server = await startTestPlatform({ jwtSecret: JWT_SECRET });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    await host.ok('mutation { setOrgCandidateStatements(enabled: true) { id } }');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Tabs through the page until `selector` has the focus (the keyboard's way there). */
  async function tabTo(page: Page, selector: string): Promise<void> {
    for (let presses = 0; presses < 10; presses++) {
      if (await page.evaluate((s) => document.activeElement === document.querySelector(s), selector)) return;
      await page.keyboard.press('Tab');
    }
    assert.fail(`Tab never reached ${selector}`);
  }

  it('shows the review in plain words and takes one statement from the keyboard, rendered as text', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, { events: [{ type: 'TAB_SWITCH', durationMs: 2000 }] });
    await waitForReport(host, interviewId);
    const { interview } = await host.ok('query($id: ID!) { interview(id: $id) { candidates { edges { node { sessions { violations { edges { node { id } } } } } } } } }', {
      id: interviewId,
    });
    const [violation] = interview.candidates.edges[0].node.sessions[0].violations.edges.map((e: any) => e.node);
    await host.ok('mutation($id: ID!) { reviewViolation(id: $id, verdict: DISMISSED) { id } }', { id: violation.id });
    await host.ok('mutation($i: ID!, $c: ID!) { completeReview(interviewId: $i, candidateId: $c, decision: CLEARED) { id } }', { i: interviewId, c: candidateId });
    const { url } = (await host.ok('mutation($i: ID!, $c: ID!) { candidateStatementLink(interviewId: $i, candidateId: $c) { url } }', { i: interviewId, c: candidateId }))
      .candidateStatementLink;

    const page = await browser.context.newPage();
    const other = await browser.context.newPage();
    await page.goto(url);
    await other.goto(url);
    await page.waitForSelector('#statement-form');
    assert.match((await page.textContent('#decision')) ?? '', /^Cleared: the reviewer found no integrity concerns\./);
    const rows = await page.$$eval('#flags tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-verdict'), tr.textContent]));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![0], 'DISMISSED');
    assert.match(rows[0]![1] ?? '', /You switched to another browser tab.*Dismissed by the reviewer/);

    // Keyboard only: Tab to the text, type, Tab to the button, Enter.
    await tabTo(page, '#statement-input');
    await page.keyboard.insertText(HOSTILE);
    assert.match((await page.textContent('#statement-count')) ?? '', new RegExp(`^${HOSTILE.length} of 4000 characters`));
    await tabTo(page, '#send-statement');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#statement-notice');
    assert.equal(await page.textContent('#statement-notice'), 'Thank you: your statement was received.');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'statement-heading', 'the focus moves to the result');
    assert.equal(await page.textContent('#statement-text'), HOSTILE.trim());
    assert.equal(await page.$$eval('#statement-text *', (children) => children.length), 0, 'the markup stays text');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.$('#statement-form'), null);

    // The other tab, opened before, sends a second one: refused, and it shows the one that counts.
    await other.fill('#statement-input', 'A second statement');
    await other.click('#send-statement');
    await other.waitForSelector('#statement-text');
    assert.match((await other.textContent('#statement-notice')) ?? '', /already received for this review \(only one is accepted\)/);
    assert.equal(await other.textContent('#statement-text'), HOSTILE.trim());
    assert.equal(await other.$('#statement-form'), null);

    const { interview: seen } = await host.ok('query($id: ID!) { interview(id: $id) { candidates { edges { node { review { statement { text } } } } } } }', { id: interviewId });
    assert.equal(seen.candidates.edges[0].node.review.statement.text, HOSTILE.trim());

    // An expired link (signed with the server's key, its time up) and a broken one: a page that says so.
    const expired = await new TokenSigner(JWT_SECRET).signStatement(
      { candidateId, interviewId, orgId: (await host.ok('query { me { org { id } } }')).me.org.id },
      new Date(Date.now() - 1000),
    );
    await page.goto(`${server.url}/s/${expired}`);
    await page.waitForSelector('.error h1');
    assert.equal(await page.textContent('.error h1'), 'This link has expired');
    assert.match((await page.textContent('.error .hint')) ?? '', /Ask the person who sent it for a new link/);

    await page.goto(`${server.url}/s/not-a-token`);
    await page.waitForSelector('.error h1');
    assert.equal(await page.textContent('.error h1'), 'This link is not valid');
    await page.close();
    await other.close();
  });

  it('refuses an empty statement on the page, with the reason beside the text', async () => {
    const { interviewId, candidateId } = await runInterview(server.url, host, {});
    await host.ok('mutation($i: ID!, $c: ID!) { completeReview(interviewId: $i, candidateId: $c, decision: CONCERNS) { id } }', { i: interviewId, c: candidateId });
    const { url } = (await host.ok('mutation($i: ID!, $c: ID!) { candidateStatementLink(interviewId: $i, candidateId: $c) { url } }', { i: interviewId, c: candidateId }))
      .candidateStatementLink;
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.waitForSelector('#statement-form');
    assert.equal(await page.textContent('#flags'), 'Nothing was flagged.');
    await page.fill('#statement-input', '   ');
    await page.click('#send-statement');
    await page.waitForSelector('#statement-error:not([hidden])');
    assert.equal(await page.textContent('#statement-error'), 'Write your statement first.');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'statement-input');
    await page.close();
  });
});
