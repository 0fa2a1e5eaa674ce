// `proctor watch` for scripts and pipes: one JSON object per line per event. Persisted alerts
// are written first (and again after a reconnect, when new or grown), marked "replayed".
import { replayedAlert } from './replayed-alert.ts';
import type { InterviewEvent } from '../../contract/live-events.ts';
import type { InterviewHistory } from './wire.ts';

export class NdjsonWriter {
  readonly #out: NodeJS.WritableStream;
  readonly #interviewId: string;
  /** The count last written per violation, so a replay writes only what is new. */
  readonly #written = new Map<string, number>();

  constructor(out: NodeJS.WritableStream, interviewId: string) {
    this.#out = out;
    this.#interviewId = interviewId;
  }

  history(history: InterviewHistory): void {
    const replayed = [];
    for (const { node: candidate } of history.candidates.edges) {
      for (const session of candidate.sessions) {
        for (const { node: violation } of session.violations.edges) {
          if (violation.accommodated || (this.#written.get(violation.id) ?? 0) >= violation.count) continue;
          replayed.push({ event: 'LiveAlert', ...replayedAlert(candidate.id, violation) });
        }
      }
    }
    replayed.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    for (const line of replayed) this.#write(line, true);
  }

  event(event: InterviewEvent): void {
    const { __typename, ...fields } = event;
    this.#write({ event: __typename, ...fields }, false);
  }

  #write(line: { event: string; violationId?: string; count?: number } & Record<string, unknown>, replayed: boolean): void {
    if (line.violationId !== undefined) this.#written.set(line.violationId, Math.max(line.count ?? 0, this.#written.get(line.violationId) ?? 0));
    const { event, ...fields } = line;
    this.#out.write(`${JSON.stringify({ event, interviewId: this.#interviewId, ...fields, ...(replayed ? { replayed: true } : {}) })}\n`);
  }
}
