// Conversation figures from the speaking segments alone (no transcript needed): how much each
// side spoke, how quickly the candidate answered, and how often both spoke at once. Also picks
// the report's 'Questions and answers' from a transcript.
import type { Speaker } from '../db/entities.ts';

export interface Span {
  speaker: Speaker;
  startMs: number;
  endMs: number;
}

export interface ConversationFigures {
  hostSpeakingMs: number;
  candidateSpeakingMs: number;
  /** The candidate's share of all speaking time, 0–1 (null when nobody spoke). */
  candidateTalkShare: number | null;
  /** From the host falling silent to the candidate starting to speak, over every such hand-over. */
  responseLatencyP50Ms: number | null;
  responseLatencyP90Ms: number | null;
  responses: number;
  /** Stretches where both spoke at once, and their total length. */
  overlaps: number;
  overlapMs: number;
}

/** A candidate who starts later than this after the host stopped is not answering that turn. */
const MAX_RESPONSE_MS = 30_000;

export function conversationFigures(spans: Span[]): ConversationFigures {
  const host = spans.filter((s) => s.speaker === 'HOST').sort(byStart);
  const candidate = spans.filter((s) => s.speaker === 'CANDIDATE').sort(byStart);
  const total = (list: Span[]) => list.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
  const hostSpeakingMs = total(host);
  const candidateSpeakingMs = total(candidate);
  const latencies: number[] = [];
  host.forEach((turn, i) => {
    const nextHostStart = host[i + 1]?.startMs ?? Infinity;
    const answer = candidate.find((c) => c.startMs >= turn.endMs);
    if (answer && answer.startMs < nextHostStart && answer.startMs - turn.endMs <= MAX_RESPONSE_MS) latencies.push(answer.startMs - turn.endMs);
  });
  let overlaps = 0;
  let overlapMs = 0;
  for (const h of host) {
    for (const c of candidate) {
      const shared = Math.min(h.endMs, c.endMs) - Math.max(h.startMs, c.startMs);
      if (shared > 0) {
        overlaps++;
        overlapMs += shared;
      }
    }
  }
  const spoken = hostSpeakingMs + candidateSpeakingMs;
  return {
    hostSpeakingMs,
    candidateSpeakingMs,
    candidateTalkShare: spoken > 0 ? candidateSpeakingMs / spoken : null,
    responseLatencyP50Ms: percentile(latencies, 0.5),
    responseLatencyP90Ms: percentile(latencies, 0.9),
    responses: latencies.length,
    overlaps,
    overlapMs,
  };
}

export interface QuotedTurn extends Span {
  text: string;
  confidence: number;
}

/**
 * Up to `limit` host turns each followed directly by a candidate turn, both at least `minConfidence`.
 * Where the engine punctuates, only host turns ending in a question mark count as questions.
 */
export function questionsAndAnswers(transcript: QuotedTurn[], minConfidence: number, limit = 5): { question: QuotedTurn; answer: QuotedTurn }[] {
  const ordered = [...transcript].sort(byStart);
  const punctuated = ordered.some((t) => /[.?!]$/.test(t.text.trim()));
  const pairs: { question: QuotedTurn; answer: QuotedTurn }[] = [];
  for (let i = 0; i + 1 < ordered.length && pairs.length < limit; i++) {
    const [question, answer] = [ordered[i]!, ordered[i + 1]!];
    if (question.speaker !== 'HOST' || answer.speaker !== 'CANDIDATE') continue;
    if (question.confidence < minConfidence || answer.confidence < minConfidence) continue;
    if (punctuated && !question.text.trim().endsWith('?')) continue;
    pairs.push({ question, answer });
  }
  return pairs;
}

function byStart(a: Span, b: Span): number {
  return a.startMs - b.startMs;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
