import type { ViolationType } from '../../../contract/violations.ts';

/** Something the engine noticed, before it gets a seq and joins the delivery queue. */
export interface DetectedEvent {
  type: ViolationType;
  /** Epoch ms when the condition began. */
  occurredAt: number;
  durationMs: number;
  confidence?: number;
  metadata?: Record<string, unknown>;
}
