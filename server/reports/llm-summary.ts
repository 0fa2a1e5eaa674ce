// Optional: a few sentences from a language model behind an OpenAI-compatible chat-completions
// endpoint (PROCTOR_SUMMARY_LLM_URL). Off by default and never required: any failure leaves the
// report with its deterministic summary only. The model sees figures, never who the candidate is.
import type { Logger } from '../log.ts';
import type { ReportInput } from './report-input.ts';

export interface LlmSummaryOptions {
  /** Base URL, e.g. http://localhost:11434/v1 (…/chat/completions is appended). */
  url: string;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

const MAX_SUMMARY_CHARS = 1_000;
const SYSTEM_PROMPT =
  'You write two or three neutral sentences for a proctored interview report, for a hiring manager. ' +
  'Use only the figures given. Do not speculate about intent; note that automated signals can have innocent causes.';

export type AiSummariser = (input: ReportInput) => Promise<string | null>;

export function llmSummariser(options: LlmSummaryOptions): AiSummariser {
  return async (input) => {
    const minutes = Math.round((input.interview.endedAt.getTime() - input.interview.startedAt.getTime()) / 60_000);
    const facts = {
      interviewMinutes: minutes,
      scores: { focus: input.scores.focus, integrity: input.scores.integrity, composite: input.scores.composite },
      deterministicSummary: input.scores.summary,
      eventsByType: Object.fromEntries(input.counts.map((c) => [c.type, c.count])),
      secondsBySignal: Object.fromEntries(input.timeline.map((row) => [row.label, Math.round(row.totalMs / 1000)])),
    };
    try {
      const response = await fetch(`${options.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({
          model: options.model,
          temperature: 0.2,
          max_tokens: 200,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: JSON.stringify(facts) },
          ],
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
      const text = body.choices?.[0]?.message?.content;
      if (typeof text !== 'string' || !text.trim()) throw new Error('no message content in the answer');
      return text.trim().slice(0, MAX_SUMMARY_CHARS);
    } catch (error) {
      options.logger.warn({ err: error, reportId: input.reportId }, 'LLM summary unavailable; the report keeps its deterministic summary');
      return null;
    }
  };
}
