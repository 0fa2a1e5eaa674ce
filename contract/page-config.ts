// GET /app-config.json: what the candidate page and host room need to know about this server.

export interface PageConfig {
  /** Base URL of the MediaPipe wasm files (served from our own origin). */
  wasmBaseUrl: string;
  /** Where the two face model files are; null when the server has none (face checks off). */
  models: { detector: string; landmarker: string } | null;
  faceCheckIntervalMs: number;
  snapshotLimitBytes: number;
  /** Whether interview audio is transcribed after the interview, and by whom when it leaves the server (null: on the server). */
  transcription: { by: string | null } | null;
}
