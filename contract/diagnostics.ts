// GET /operator/diagnostics and GET /operator/backup: what a running server reports of itself to
// its operator (`proctor doctor`, `proctor backup`). Both need the operator key, a secret the
// server generates into its data dir: whoever can read that file can read every org's data
// anyway, so the key gives nothing more. Nothing here carries a secret.

/** The file in the data dir that holds the operator key (mode 0600). */
export const OPERATOR_KEY_FILE = 'operator-key';

export const DIAGNOSTICS_PATH = '/operator/diagnostics';
export const BACKUP_PATH = '/operator/backup';

/** Header of a backup response: the archive's expected size in bytes (for progress; the files may grow meanwhile). */
export const BACKUP_SIZE_HEADER = 'x-proctor-backup-estimated-bytes';

/** Inside a backup archive: the embedded database (a tar of its data directory, PGlite's dumpDataDir). */
export const BACKUP_DATABASE_ENTRY = 'database/pgdata.tar';
/** Inside a backup archive, last: what it holds, with each entry's SHA-256 (a truncated archive has none). */
export const BACKUP_MANIFEST_ENTRY = 'manifest.json';
/** The generated JWT signing key's file in the data dir. */
export const JWT_SECRET_FILE = 'jwt-secret';
/**
 * What a backup copies from the data dir besides the database: the media folders (reports are
 * rows of the database, their PDFs with them) and the JWT key, so that join links and logins
 * keep working after a restore.
 */
export const BACKUP_PATHS = ['recordings', 'snapshots', JWT_SECRET_FILE] as const;

export interface BackupManifest {
  format: 'proctor-backup/1';
  createdAt: string;
  /** Migrations applied to the database copy: a newer server applies the rest when it opens it. */
  migrations: string[];
  entries: { path: string; bytes: number; sha256: string }[];
}

export interface ServerDiagnostics {
  /** The server's clock when it answered, and the database's read just before (ISO 8601). */
  serverTime: string;
  /** Base URL the server builds links with. */
  publicUrl: string;
  database: {
    kind: 'embedded' | 'server';
    reachable: boolean;
    problem?: string | undefined;
    /** Migrations known to this server and not applied. */
    pendingMigrations: string[];
    appliedMigrations: number;
    /** The database clock minus the server's, in ms (against the midpoint of the query). */
    clockOffsetMs?: number | undefined;
    /** Half the query's round trip: how far off that midpoint may be, in ms. */
    clockUncertaintyMs?: number | undefined;
  };
  recording: {
    enabled: boolean;
    ffmpegPath: string;
    /** ffmpeg's first version line, when it runs. */
    ffmpegVersion?: string | undefined;
    problem?: string | undefined;
  };
  /** A speech-to-text engine for transcripts: none exists yet. */
  transcription: { configured: boolean };
  /** Null in a process without media (`proctor worker`). */
  rtc: {
    listenIp: string;
    announcedAddress: string;
    workers: { index: number; running: boolean; listen: { protocol: 'udp' | 'tcp'; ip: string; port: number }[]; problem?: string | undefined }[];
  } | null;
  dataDir: { path: string; freeBytes: number; totalBytes: number };
  /** Where the JWT signing key comes from; `persisted` false means logins and join links die with a restart. */
  jwtSecret: { source: 'environment' | 'data-dir'; persisted: boolean };
  /**
   * The TURN servers pages are given (PROCTOR_TURN_URLS) with one fresh credential of the kind a
   * page gets, minutes long, so the doctor can allocate a relay; null when TURN is not configured.
   * A credential, not a secret: this route is the operator's only, and the credential expires.
   */
  turn: { urls: string[]; username: string; credential: string } | null;
}
