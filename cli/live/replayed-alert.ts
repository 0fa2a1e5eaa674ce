// A stored violation read back as the alert a live subscriber would have seen for it, so the
// dashboard and the NDJSON stream replay history the same way.
import type { LiveAlert } from '../../contract/live-events.ts';
import { alertMessage } from '../../contract/violations.ts';
import type { PersistedViolation } from './wire.ts';

export type Alert = Omit<LiveAlert, '__typename'>;

export function replayedAlert(candidateId: string, violation: PersistedViolation): Alert {
  return {
    violationId: violation.id,
    candidateId,
    type: violation.type,
    severity: violation.severity,
    message: alertMessage(violation.type, violation.count),
    occurredAt: violation.occurredAt,
    count: violation.count,
    durationMs: violation.durationMs,
  };
}
