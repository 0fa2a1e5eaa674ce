// The engine's ProctorLink over the page's graphql-ws socket, plus the HTTP snapshot upload.
import type { LiveConnection } from '../api.ts';
import type { DeliveryResult, QueuedEvent } from '../proctor/event-queue.ts';
import type { ProctorLink, Telemetry } from '../proctor/engine.ts';

const REPORT = `mutation($sessionId: ID!, $events: [EventInput!]!) {
  reportEvents(sessionId: $sessionId, events: $events) { accepted rejected { seq code message } }
}`;
const HEARTBEAT = 'mutation($sessionId: ID!, $telemetry: TelemetryInput!) { heartbeat(sessionId: $sessionId, telemetry: $telemetry) { serverTime } }';

export class LiveLink implements ProctorLink {
  readonly #live: LiveConnection;
  readonly #token: string;
  /** A heartbeat still waiting (the socket is down): later ones are skipped, not piled up. */
  #beating = false;

  constructor(live: LiveConnection, token: string) {
    this.#live = live;
    this.#token = token;
  }

  async reportEvents(sessionId: string, events: QueuedEvent[]): Promise<DeliveryResult> {
    return (await this.#live.request<{ reportEvents: DeliveryResult }>(REPORT, { sessionId, events })).reportEvents;
  }

  async heartbeat(sessionId: string, telemetry: Telemetry): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    try {
      await this.#live.request(HEARTBEAT, { sessionId, telemetry });
    } finally {
      this.#beating = false;
    }
  }

  async uploadSnapshot(sessionId: string, seq: number, jpeg: Blob): Promise<void> {
    const response = await fetch(`/api/snapshots?sessionId=${encodeURIComponent(sessionId)}&seq=${seq}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${this.#token}` },
      body: jpeg,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
}
