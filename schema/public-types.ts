// Types the browser pages share with the API, as the GraphQL schema spells them. Type-only and
// dependency-free: client/ imports this module, never server code (a test checks it matches).

export type ViolationType =
  | 'TAB_SWITCH'
  | 'WINDOW_BLUR'
  | 'FACE_MISSING'
  | 'MULTIPLE_FACES'
  | 'LOOKING_AWAY'
  | 'AUDIO_DETECTED'
  | 'FULLSCREEN_EXIT'
  | 'RESIZE_ATTEMPT'
  | 'COPY_PASTE'
  | 'CONTEXT_MENU'
  | 'DEVTOOLS_OPEN'
  | 'HEARTBEAT_LOST'
  | 'MEDIA_LOST';

export type InterviewStatus = 'SCHEDULED' | 'LIVE' | 'COMPLETED' | 'ARCHIVED';

/** InterviewConfig: what an interview monitors. */
export interface InterviewRules {
  strictMode: boolean;
  requireFullscreen: boolean;
  allowCopyPaste: boolean;
  audioPolicy: 'IGNORE' | 'FLAG';
  lookAwayDegrees: number;
  retentionDays: number;
}

/** GET /app-config.json: what the pages need to know about this server. */
export interface PageConfig {
  /** Base URL of the MediaPipe wasm files (served from our own origin). */
  wasmBaseUrl: string;
  /** Where the two face model files are; null when the server has none (face checks off). */
  models: { detector: string; landmarker: string } | null;
  faceCheckIntervalMs: number;
  snapshotLimitBytes: number;
}
