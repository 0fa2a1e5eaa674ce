// An interview's room in the SFU as the media services share it: what the server tells the SFU
// about each producer, and which producers it watches (a candidate's camera and mic are watched
// for MEDIA_LOST, their screen for SCREEN_SHARE_STOPPED, and measured). Every producer is recorded.
import type { MediaRole, MediaSource } from '../../contract/media-signaling.ts';
import type { Room } from '../../sfu/room.ts';
import type { ProducerInfo } from '../../sfu/types.ts';

export interface ProducerTags {
  role: MediaRole;
  /** The sender's candidate id; null for a host's stream. */
  candidateId: string | null;
  source: MediaSource;
}

export type TaggedProducer = ProducerInfo<ProducerTags>;

/** One router of the SFU serving one LIVE interview. */
export interface InterviewRoom {
  readonly interviewId: string;
  readonly room: Room<ProducerTags>;
  /** Opened again after its worker died (every transport of the old room is gone). */
  readonly reconnect: boolean;
}

const WATCHED_SOURCES: readonly MediaSource[] = ['CAMERA', 'MIC', 'SCREEN'];

/** The candidate whose camera, mic or screen this is, or undefined for a host's stream. */
export function watchedCandidate({ tags }: TaggedProducer): string | undefined {
  return tags.candidateId && WATCHED_SOURCES.includes(tags.source) ? tags.candidateId : undefined;
}
