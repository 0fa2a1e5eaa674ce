// Drives an interview through the real API: create, invite, start, a candidate reporting
// proctoring events over graphql-ws, then (optionally) end it.
import type { GraphQLClient } from './graphql.ts';
import { connect } from './live.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './candidate-fixtures.ts';
import { until } from './until.ts';
import { START_INTERVIEW, END_INTERVIEW } from './host-operations.ts';

export interface FlowEvent {
  type: string;
  durationMs?: number;
  /** When it happened, after the candidate joined (events must be within 30 s of the server clock). */
  afterMs?: number;
  /** The detector's confidence, 0–1; none when left out. */
  confidence?: number;
}

export async function runInterview(
  baseUrl: string,
  host: GraphQLClient,
  options: { title?: string; candidate?: string; events?: FlowEvent[]; end?: boolean } = {},
): Promise<{ interviewId: string; candidateId: string; candidateToken: string; sessionId: string | undefined }> {
  const created = await host.ok('mutation($title: String!) { createInterview(input: { title: $title }) { interview { id } } }', { title: options.title ?? 'Backend engineer' });
  const interviewId = created.createInterview.interview.id as string;
  const name = options.candidate ?? 'Ada Lovelace';
  const invited = await host.ok('mutation($id: ID!, $name: String!) { inviteCandidate(interviewId: $id, name: $name, email: "ada@example.com") { token candidate { id } } }', {
    id: interviewId,
    name,
  });
  await host.ok(START_INTERVIEW, { id: interviewId });
  const events = options.events ?? [];
  let sessionId: string | undefined;
  if (events.length > 0) {
    const candidate = connect(baseUrl, invited.inviteCandidate.token);
    let now = Date.now();
    try {
      sessionId = (await candidate.request(JOIN_SESSION, { device: DEVICE })).joinSession.id as string;
      now = Date.now();
      const batch = events.map((e, seq) => ({
        seq,
        type: e.type,
        durationMs: e.durationMs ?? 0,
        occurredAt: new Date(now + (e.afterMs ?? 0)).toISOString(),
        ...(e.confidence === undefined ? {} : { confidence: e.confidence }),
      }));
      const result = (await candidate.request(REPORT_EVENTS, { sessionId, events: batch })).reportEvents;
      if (result.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(result.rejected)}`);
    } finally {
      await candidate.dispose();
    }
    // The interview lasts past the last event, so none is clipped by its end: time the scenario
    // needs to pass (the end is stamped when endInterview runs), not a wait for the server.
    const lastEnd = Math.max(...events.map((e) => (e.afterMs ?? 0) + (e.durationMs ?? 0)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, now + lastEnd + 50 - Date.now())));
  }
  if (options.end !== false) await host.ok(END_INTERVIEW, { id: interviewId });
  return { interviewId, candidateId: invited.inviteCandidate.candidate.id as string, candidateToken: invited.inviteCandidate.token as string, sessionId };
}

export const REPORT_FIELDS = `id status attempts error candidateId candidateName summary violationLogSha256 pdfBytes downloadUrl downloadUrlExpiresAt generatedAt
  scores { focus integrity composite } counts { type count } timeline { category label totalMs bars { startMs durationMs } }`;

/** The report of `interviewId`, once it has left PENDING. */
export async function waitForReport(host: GraphQLClient, interviewId: string): Promise<any> {
  return until(`the report of interview ${interviewId} to leave PENDING`, async () => {
    const { report } = await host.ok(`query($id: ID!) { report(interviewId: $id) { ${REPORT_FIELDS} } }`, { id: interviewId });
    return report.status !== 'PENDING' && report;
  });
}
