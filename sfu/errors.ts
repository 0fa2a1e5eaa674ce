// What the SFU refuses. The server maps these to its domain errors; the SFU knows nothing of them.
/** NOT_FOUND messages name the thing ("Producer <id>"); INVALID: what the client asked or sent (mediasoup's parameter checks included); CLOSED: the room is gone, reconnect. */
export type SfuErrorReason = 'NOT_FOUND' | 'INVALID' | 'CLOSED';

export class SfuError extends Error {
  readonly reason: SfuErrorReason;
  constructor(reason: SfuErrorReason, message: string) {
    super(message);
    this.name = 'SfuError';
    this.reason = reason;
  }
}
