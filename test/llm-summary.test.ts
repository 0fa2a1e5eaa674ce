// The optional LLM summary against a local fake OpenAI-compatible endpoint (a mock: no language
// model can run here). It checks what is sent (figures, never the candidate's identity) and that
// a failing endpoint never fails the report.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

const SUMMARY = 'Over a short interview the candidate stayed mostly attentive; one tab switch was recorded.';

describe(`LLM report summary (${describeDatabase()})`, () => {
  let fake: Server;
  let server: TestPlatform;
  let host: GraphQLClient;
  const requests: { authorization: string | undefined; body: any }[] = [];
  let status = 200;

  before(async () => {
    fake = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        requests.push({ authorization: request.headers.authorization, body: JSON.parse(body) });
        if (request.url !== '/v1/chat/completions' || status !== 200) return void response.writeHead(status === 200 ? 404 : status).end();
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: ` ${SUMMARY} ` } }] }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
    server = await startTestPlatform({}, { PROCTOR_SUMMARY_LLM_URL: url, PROCTOR_SUMMARY_LLM_MODEL: 'test-model', PROCTOR_SUMMARY_LLM_KEY: 'sk-test' });
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => {
    await server?.stop();
    await new Promise((resolve) => fake?.close(resolve));
  });

  it("adds the model's sentences to the report and its PDF, sending figures only", async () => {
    const { interviewId } = await runInterview(server.url, host, { candidate: 'Zelda Quux', events: [{ type: 'TAB_SWITCH', durationMs: 300 }] });
    await waitForReport(host, interviewId);
    const { report } = await host.ok('query($id: ID!) { report(interviewId: $id) { status aiSummary downloadUrl } }', { id: interviewId });
    assert.equal(report.status, 'READY');
    assert.equal(report.aiSummary, SUMMARY);
    const sent = requests.at(-1)!;
    assert.equal(sent.authorization, 'Bearer sk-test');
    assert.equal(sent.body.model, 'test-model');
    const facts = JSON.parse(sent.body.messages[1].content);
    assert.equal(facts.eventsByType.TAB_SWITCH, 1);
    assert.ok(!JSON.stringify(sent.body).includes('Zelda'), 'the candidate name is not sent');
    const text = (await pdfText(new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer()))).replace(/\s+/g, ' ');
    assert.ok(text.includes(SUMMARY), 'the PDF prints the LLM summary');
  });

  it('keeps the report READY without an LLM summary when the endpoint fails', async () => {
    status = 500;
    const { interviewId } = await runInterview(server.url, host, {});
    const report = await waitForReport(host, interviewId);
    assert.equal(report.status, 'READY');
    const { report: again } = await host.ok('query($id: ID!) { report(interviewId: $id) { aiSummary summary } }', { id: interviewId });
    assert.equal(again.aiSummary, null);
    assert.match(again.summary, /integrity/);
  });
});
