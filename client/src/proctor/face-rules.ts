// The face state machine, pure so Node tests it: fed one sample per checked frame, it
// says when a condition has lasted long enough to be a violation. A condition that goes on is
// reported again every `repeatMs`, so the host sees it is still happening.
import type { ViolationType } from '../../../contract/violations.ts';
import type { DetectedEvent } from './detected-event.ts';

export interface FaceSample {
  /** Epoch ms of the frame. */
  at: number;
  faces: number;
  /** Head rotation in degrees of the one face; null when the landmarker did not find it. */
  yaw?: number | null;
  pitch?: number | null;
  /** Detector confidence of the best face (0–1). */
  score?: number | null;
}

export interface FaceRuleOptions {
  lookAwayDegrees: number;
  missingAfterMs: number;
  multipleAfterMs: number;
  lookAwayAfterMs: number;
  repeatMs: number;
}

export const FACE_RULE_DEFAULTS = { missingAfterMs: 1000, multipleAfterMs: 1000, lookAwayAfterMs: 2000, repeatMs: 5000 } as const;

type FaceCondition = Extract<ViolationType, 'FACE_MISSING' | 'MULTIPLE_FACES' | 'LOOKING_AWAY'>;

interface Stretch {
  since: number;
  /** When it was last reported (undefined: not yet past its threshold). */
  reportedAt: number | undefined;
}

export class FaceRules {
  readonly #options: FaceRuleOptions;
  readonly #open = new Map<FaceCondition, Stretch>();

  constructor(options: Pick<FaceRuleOptions, 'lookAwayDegrees'> & Partial<FaceRuleOptions>) {
    this.#options = { ...FACE_RULE_DEFAULTS, ...options };
  }

  /** The conditions this frame shows, and the violations that are now due. */
  feed(sample: FaceSample): DetectedEvent[] {
    const present = new Set<FaceCondition>();
    if (sample.faces === 0) present.add('FACE_MISSING');
    if (sample.faces > 1) present.add('MULTIPLE_FACES');
    // No pose for this frame (the landmarker lost the face for a moment): the stretch goes on as it was.
    const unknownPose = sample.faces === 1 && sample.yaw == null && sample.pitch == null;
    if (unknownPose ? this.#open.has('LOOKING_AWAY') : sample.faces === 1 && this.#lookingAway(sample)) present.add('LOOKING_AWAY');
    for (const condition of this.#open.keys()) if (!present.has(condition)) this.#open.delete(condition);

    const due: DetectedEvent[] = [];
    for (const condition of present) {
      let stretch = this.#open.get(condition);
      if (!stretch) this.#open.set(condition, (stretch = { since: sample.at, reportedAt: undefined }));
      const event = this.#due(condition, stretch, sample);
      if (event) due.push(event);
    }
    return due;
  }

  /** Conditions currently under way (for telemetry and the device check). */
  get active(): FaceCondition[] {
    return [...this.#open.keys()];
  }

  #due(condition: FaceCondition, stretch: Stretch, sample: FaceSample): DetectedEvent | undefined {
    const threshold = { FACE_MISSING: this.#options.missingAfterMs, MULTIPLE_FACES: this.#options.multipleAfterMs, LOOKING_AWAY: this.#options.lookAwayAfterMs }[condition];
    if (stretch.reportedAt === undefined) {
      if (sample.at - stretch.since < threshold) return undefined;
      stretch.reportedAt = sample.at;
      return this.#event(condition, stretch.since, sample.at - stretch.since, sample);
    }
    if (sample.at - stretch.reportedAt < this.#options.repeatMs) return undefined;
    const from = stretch.reportedAt;
    stretch.reportedAt = sample.at;
    return this.#event(condition, from, sample.at - from, sample);
  }

  #event(type: FaceCondition, occurredAt: number, durationMs: number, sample: FaceSample): DetectedEvent {
    const metadata: Record<string, unknown> = { faces: sample.faces };
    if (type === 'LOOKING_AWAY') Object.assign(metadata, { yaw: round(sample.yaw), pitch: round(sample.pitch) });
    return { type, occurredAt, durationMs, ...(sample.score != null ? { confidence: sample.score } : {}), metadata };
  }

  #lookingAway(sample: FaceSample): boolean {
    const limit = this.#options.lookAwayDegrees;
    return Math.abs(sample.yaw ?? 0) > limit || Math.abs(sample.pitch ?? 0) > limit;
  }
}

function round(value: number | null | undefined): number | null {
  return value == null ? null : Math.round(value * 10) / 10;
}
