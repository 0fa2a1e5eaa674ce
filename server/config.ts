// The one place configuration is read. Every setting is an environment variable with a default;
// `loadConfig` validates them all at once and refuses to start on an unknown PROCTOR_* name or a
// malformed value, so a typo never silently falls back to a default.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { ICE_TRANSPORT_POLICIES, type IceTransportPolicyName } from '../contract/media-signaling.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** TCP port of the HTTP/GraphQL server (0 picks a free one). */
  port: number;
  /** Address the server binds to. */
  host: string;
  /** Base URL candidates and hosts reach the server at; join links are built from it (default: where the server listens). */
  publicUrl: string | undefined;
  /** Where the embedded database, the generated secret and (later) recordings live. */
  dataDir: string;
  /** A PostgreSQL server; when absent the embedded database is used. */
  databaseUrl: string | undefined;
  /** Optional read replica that serves dashboard reads. */
  databaseReadUrl: string | undefined;
  /** Connections per pool. */
  databasePoolSize: number;
  /**
   * Longest a database statement may run (PostgreSQL's statement_timeout) or wait for the embedded
   * database's shared session, in ms; the caller then gets a retriable error.
   */
  databaseTimeoutMs: number;
  /**
   * Longest a GraphQL query or mutation may take, in ms, whatever it waits on; the caller then
   * gets DEADLINE_EXCEEDED. Longer than databaseTimeoutMs, so a slow statement fails first, with
   * its own retriable error and its transaction rolled back.
   */
  operationTimeoutMs: number;
  /** HMAC key for host and join-token JWTs; generated into the data dir when absent. */
  jwtSecret: string | undefined;
  /** How long a host's login token is valid, in ms. */
  hostTokenTtlMs: number;
  /** How long before the scheduled time a join link becomes valid, in ms. */
  joinTokenLeadMs: number;
  /** Safety net: a join link expires this long after the scheduled time even if the interview never ends. */
  joinTokenMaxAgeMs: number;
  /** Failed-login budget per email and per client address within `loginWindowMs`. */
  loginAttempts: number;
  loginWindowMs: number;
  /** Sign-ups allowed per client address within `signUpWindowMs` (each makes an org; a taken email is refused). */
  signUpAttempts: number;
  signUpWindowMs: number;
  /** Largest accepted HTTP request body, in bytes. */
  bodyLimitBytes: number;
  /** Deepest GraphQL selection accepted (fragments and introspection included). */
  graphqlMaxDepth: number;
  /** Most aliases one GraphQL document may use. */
  graphqlMaxAliases: number;
  /** Most lexical tokens one GraphQL document may have (checked while parsing, before anything else). */
  graphqlMaxTokens: number;
  /** Most directives one GraphQL document may use. */
  graphqlMaxDirectives: number;
  /** Highest estimated cost of one GraphQL operation (objects and scalars weighted by depth). */
  graphqlMaxCost: number;
  /** Serve GraphiQL at /graphql for browsers. */
  graphiql: boolean;
  /** Bearer token Prometheus must send to read /metrics (open to anyone who reaches the port when unset). */
  metricsToken: string | undefined;
  /** Reverse proxies in front of the server whose X-Forwarded-For / -Proto / -Host are believed (0: none). */
  trustProxyHops: number;
  /** PEM certificate (chain) file: with `tlsKey`, the server speaks HTTPS and WSS on its port (re-read on SIGHUP). */
  tlsCert: string | undefined;
  /** PEM private key file of `tlsCert`. */
  tlsKey: string | undefined;
  logLevel: LogLevel;
  /** Silence from a candidate's page after which a LIVE interview raises HEARTBEAT_LOST, in ms. */
  heartbeatTimeoutMs: number;
  /** Longest a graceful shutdown waits for what is in flight (requests, then running jobs), in ms. */
  shutdownTimeoutMs: number;
  /** mediasoup worker processes (one per core by default). */
  sfuWorkers: number;
  /** Worker i's WebRtcServer listens on UDP and TCP port `rtcPort + i` (0: any free port). */
  rtcPort: number;
  /** Address the WebRTC ports bind to. */
  rtcListenIp: string;
  /** Address browsers are told to send media to (public IP or DNS name behind NAT). */
  announcedAddress: string | undefined;
  /**
   * Worker i's WebRtcServer also takes ICE-TCP on port `iceTcpPort + i` (a port firewalls let
   * through, such as 443 on an address of its own); none when unset.
   */
  iceTcpPort: number | undefined;
  /** TURN servers handed to the pages (`turn:` / `turns:` URLs); none when unset. */
  turnUrls: string[] | undefined;
  /** coturn's static-auth-secret: the pages' TURN credentials are signed with it. */
  turnSecret: string | undefined;
  /** How long a page's TURN credential may start an allocation, in ms (a running one outlives it). */
  turnTtlMs: number;
  /** Handed to the pages' RTCPeerConnections when set ('relay': media only through TURN). */
  iceTransportPolicy: IceTransportPolicyName | undefined;
  /** Record each candidate's camera and mic with ffmpeg. */
  recording: boolean;
  /** The ffmpeg binary that writes recordings. */
  ffmpegPath: string;
  /**
   * Candidate pages check the camera image for faces (FACE_MISSING, MULTIPLE_FACES, LOOKING_AWAY).
   * On by default, and then the server refuses to start without its face models.
   */
  faceChecks: boolean;
  /** Folder with face_detector.tflite and face_landmarker.task, served to candidate pages at /models/ (default: the shipped client/models). */
  faceModelsDir: string;
  /** Base URL the candidate page loads the face models from instead (official model files elsewhere). */
  faceModelsUrl: string | undefined;
  /** How often the candidate page checks the camera frame for faces, in ms. */
  faceCheckIntervalMs: number;
  /** Largest accepted evidence snapshot (JPEG), in bytes. */
  snapshotLimitBytes: number;
  /** Evidence snapshots one candidate session may store. */
  snapshotsPerSession: number;
  /** Total bytes of evidence snapshots one candidate session may store. */
  snapshotBytesPerSession: number;
  /** WebRTC transports one signaling connection may hold in a media room. */
  mediaTransportsPerPeer: number;
  /** Producers (sent tracks) one signaling connection may hold; a candidate also only one per source. */
  mediaProducersPerPeer: number;
  /** What a WebRTC transport may receive, in bits per second (the SFU tells the sender to stay below). */
  mediaMaxIncomingBitrate: number;
  /** A recording file stops (finalized, with a warning) once it reaches this size, in bytes. */
  recordingMaxBytes: number;
  /** Concurrent GraphQL WebSocket connections of one org (its hosts, tokens and candidates together). */
  webSocketsPerOrg: number;
  /**
   * How stale a WebSocket's credential may get before an operation verifies it against the
   * database again, in ms. Revocations and expiries close sockets at once through the revocation
   * channel; this bounds a revocation whose notification was lost.
   */
  socketRecheckIntervalMs: number;
  /** How long a `proctor room` link may be opened, in ms. */
  roomLinkTtlMs: number;
  /** Longest a room login (what a room link is exchanged for) lasts, in ms; it ends with its interview anyway. */
  roomSessionTtlMs: number;
  /** A MongoDB for background jobs; by default they live in the project's PostgreSQL. */
  jobsUrl: string | undefined;
  /** Process background jobs in `proctor up` (off when dedicated `proctor worker`s do it). */
  runJobs: boolean;
  /** Runs of a report or webhook job before it is given up (FAILED). */
  jobAttempts: number;
  /** First retry delay of a failed job; each further retry waits twice as long, in ms. */
  jobRetryDelayMs: number;
  /**
   * How often the pending-work sweep enqueues again the PENDING reports and webhook deliveries
   * older than this that have no job (their enqueue failed), in ms.
   */
  pendingSweepIntervalMs: number;
  /** Lifetime of a report's signed download URL, in ms. */
  reportUrlTtlMs: number;
  /** Longest a webhook delivery may take, from connecting to the end of the (capped) answer, in ms. */
  webhookTimeoutMs: number;
  /** Accept webhook receivers on loopback / private networks (otherwise every delivery checks the resolved address). */
  webhookAllowPrivate: boolean;
  /** OpenAI-compatible API for an optional language-model summary in reports (off when unset). */
  summaryLlmUrl: string | undefined;
  summaryLlmModel: string;
  summaryLlmKey: string | undefined;
  /** Transcribe the interview's audio after it ends (the offline engine needs Debian's pocketsphinx). */
  transcribe: boolean;
  /** The offline engine's binary (pocketsphinx 0.8's continuous recogniser). */
  pocketsphinxPath: string;
  /** An OpenAI-compatible /v1/audio/transcriptions service used instead of pocketsphinx (the audio leaves this server). */
  transcribeUrl: string | undefined;
  transcribeKey: string | undefined;
  transcribeModel: string;
  /** The largest WAV file sent to PROCTOR_TRANSCRIBE_URL in one request: longer speech goes in several. */
  transcribeMaxUploadBytes: number;
  /** AssemblyAI's API key: its service is used instead of pocketsphinx (the audio leaves this server). */
  assemblyAiKey: string | undefined;
  /** AssemblyAI's API base URL. */
  assemblyAiUrl: string;
  /** Transcript turns below this confidence (0–1) are not quoted in reports. */
  transcriptMinConfidence: number;
}

/** The repository root: the face models ship in its client/models. */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Parser<T> = (raw: string) => T;

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  parse: Parser<Config[K]>;
  fallback: (partial: Partial<Config>) => Config[K];
  doc: string;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^\d+$/.test(raw)) throw new Error(`expected a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`expected ${min}..${max}, got ${value}`);
    return value;
  };
}

/** "90s", "15m", "48h", "7d" or plain milliseconds. */
export const duration: Parser<number> = (raw) => {
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new Error(`expected a duration like 30s, 15m, 48h or 7d, got "${raw}"`);
  return Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!;
};

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "512kb", "1mb", "2gb" or plain bytes. */
const byteSize: Parser<number> = (raw) => {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!match) throw new Error(`expected a size like 512kb or 1mb, got "${raw}"`);
  return Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()]!;
};

/** `parse`, refusing values below `min` (in `unit`). */
function atLeast(parse: Parser<number>, min: number, unit: string): Parser<number> {
  return (raw) => {
    const value = parse(raw);
    if (value < min) throw new Error(`expected at least ${min} ${unit}, got ${value} ${unit}`);
    return value;
  };
}

/** "500kbps", "3mbps" or plain bits per second. */
const bitrate: Parser<number> = (raw) => {
  const match = /^(\d+)\s*(kbps|mbps)?$/i.exec(raw.trim());
  if (!match) throw new Error(`expected a bitrate like 500kbps or 3mbps, got "${raw}"`);
  const unit = (match[2] ?? '').toLowerCase();
  const value = Number(match[1]) * (unit === 'mbps' ? 1_000_000 : unit === 'kbps' ? 1000 : 1);
  if (value < 10_000) throw new Error(`expected at least 10kbps, got ${value} bits/s`);
  return value;
};

function url(...protocols: string[]): Parser<string> {
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`expected a URL, got "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`expected a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
    }
    return raw.replace(/\/+$/, '');
  };
}

const boolean: Parser<boolean> = (raw) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
};

const text: Parser<string> = (raw) => raw;
const fraction: Parser<number> = (raw) => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new Error(`expected a number from 0 to 1, got "${raw}"`);
  return value;
};

/** false / true (one proxy) or the number of proxies in front of the server. */
const proxyHops: Parser<number> = (raw) => {
  if (/^\d+$/.test(raw)) return integer(0, 10)(raw);
  try {
    return boolean(raw) ? 1 : 0;
  } catch {
    throw new Error(`expected true, false or a number of proxies, got "${raw}"`);
  }
};

const ipAddress: Parser<string> = (raw) => {
  if (!isIP(raw)) throw new Error(`expected an IP address, got "${raw}"`);
  return raw;
};

/**
 * RFC 7065 TURN URIs, comma-separated: `turn:host[:port][?transport=udp|tcp]`, `turns:` for TLS.
 * Browsers refuse the whole RTCPeerConnection on a malformed one, so they are checked here.
 */
const turnUrls: Parser<string[]> = (raw) => {
  const urls = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (urls.length === 0) throw new Error('expected one or more turn: or turns: URLs');
  for (const url of urls) {
    const match = /^turns?:(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$/i.exec(url);
    if (!match) throw new Error(`expected turn:host[:port][?transport=udp|tcp] or turns:…, got "${url}"`);
    const port = match[2] === undefined ? 3478 : Number(match[2]);
    if (port < 1 || port > 65535) throw new Error(`expected a port in 1..65535 in "${url}"`);
  }
  return urls;
};

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

function minLength(length: number): Parser<string> {
  return (raw) => {
    if (raw.length < length) throw new Error(`must be at least ${length} characters`);
    return raw;
  };
}

function setting<K extends keyof Config>(
  key: K,
  env: string,
  parse: Parser<Config[K]>,
  fallback: Config[K] | ((partial: Partial<Config>) => Config[K]),
  doc: string,
): Setting<K> {
  const resolveFallback = typeof fallback === 'function' ? fallback : () => fallback;
  return { key, env, parse, fallback: resolveFallback, doc };
}

const none = () => undefined;

/** Ordered: a fallback may read settings listed before it. */
export const SETTINGS = [
  setting('port', 'PROCTOR_PORT', integer(0, 65535), 4000, 'HTTP/GraphQL port'),
  setting('host', 'PROCTOR_HOST', text, '127.0.0.1', 'bind address (0.0.0.0 to accept other machines)'),
  setting('publicUrl', 'PROCTOR_PUBLIC_URL', url('http:', 'https:'), none, 'base URL of join links (default: the listening address)'),
  setting('dataDir', 'PROCTOR_DATA_DIR', text, () => envPaths('proctor', { suffix: '' }).data, 'embedded database, secrets, recordings'),
  setting('databaseUrl', 'PROCTOR_DATABASE_URL', url('postgres:', 'postgresql:'), none, 'PostgreSQL server (embedded database when unset)'),
  setting('databaseReadUrl', 'PROCTOR_DATABASE_READ_URL', url('postgres:', 'postgresql:'), none, 'read replica for dashboard reads'),
  setting('databasePoolSize', 'PROCTOR_DATABASE_POOL_SIZE', integer(1, 100), 10, 'connections per pool'),
  setting('databaseTimeoutMs', 'PROCTOR_DATABASE_TIMEOUT', duration, 15_000, 'longest a statement runs, or waits for the embedded database, before a retriable error'),
  setting(
    'operationTimeoutMs',
    'PROCTOR_OPERATION_TIMEOUT',
    duration,
    (c) => 2 * (c.databaseTimeoutMs ?? 15_000),
    'longest a GraphQL query or mutation takes before DEADLINE_EXCEEDED (default: twice PROCTOR_DATABASE_TIMEOUT)',
  ),
  setting('jwtSecret', 'PROCTOR_JWT_SECRET', minLength(32), none, 'JWT signing key (generated into the data dir when unset)'),
  setting('hostTokenTtlMs', 'PROCTOR_HOST_TOKEN_TTL', duration, 12 * DURATION_UNITS.h!, 'validity of a host login'),
  setting('joinTokenLeadMs', 'PROCTOR_JOIN_TOKEN_LEAD', duration, 48 * DURATION_UNITS.h!, 'join link valid this long before the scheduled time'),
  setting('joinTokenMaxAgeMs', 'PROCTOR_JOIN_TOKEN_MAX_AGE', duration, 7 * DURATION_UNITS.d!, 'join link expires this long after the scheduled time'),
  setting('loginAttempts', 'PROCTOR_LOGIN_ATTEMPTS', integer(1, 10_000), 10, 'failed logins allowed per email / address per window'),
  setting('loginWindowMs', 'PROCTOR_LOGIN_WINDOW', duration, 15 * DURATION_UNITS.m!, 'login rate-limit window'),
  setting('signUpAttempts', 'PROCTOR_SIGNUP_ATTEMPTS', integer(1, 10_000), 20, 'sign-ups allowed per client address per window'),
  setting('signUpWindowMs', 'PROCTOR_SIGNUP_WINDOW', duration, DURATION_UNITS.h!, 'sign-up rate-limit window'),
  setting('bodyLimitBytes', 'PROCTOR_BODY_LIMIT', byteSize, 1024 * 1024, 'largest HTTP request body'),
  setting('graphqlMaxDepth', 'PROCTOR_GRAPHQL_MAX_DEPTH', integer(2, 100), 12, 'deepest GraphQL query accepted'),
  setting('graphqlMaxAliases', 'PROCTOR_GRAPHQL_MAX_ALIASES', integer(0, 1000), 15, 'most aliases in one GraphQL document'),
  setting('graphqlMaxTokens', 'PROCTOR_GRAPHQL_MAX_TOKENS', integer(100, 100_000), 500, 'most tokens (names, punctuation, values) in one GraphQL document'),
  setting('graphqlMaxDirectives', 'PROCTOR_GRAPHQL_MAX_DIRECTIVES', integer(0, 1000), 20, 'most directives in one GraphQL document'),
  setting(
    'graphqlMaxCost',
    'PROCTOR_GRAPHQL_MAX_COST',
    integer(100, 1_000_000_000),
    5_000_000,
    'highest estimated cost of one GraphQL operation (lists count `first`/`last` times)',
  ),
  setting('graphiql', 'PROCTOR_GRAPHIQL', boolean, () => process.env.NODE_ENV !== 'production', 'GraphiQL in the browser (default: off when NODE_ENV=production)'),
  setting('metricsToken', 'PROCTOR_METRICS_TOKEN', minLength(16), none, 'bearer token required to read /metrics (open when unset)'),
  setting('trustProxyHops', 'PROCTOR_TRUST_PROXY', proxyHops, 0, 'believe X-Forwarded-* from this many reverse proxies (true: one; default false)'),
  setting('tlsCert', 'PROCTOR_TLS_CERT', text, none, 'PEM certificate (chain) file: `proctor up` serves HTTPS and WSS with PROCTOR_TLS_KEY (re-read on SIGHUP)'),
  setting('tlsKey', 'PROCTOR_TLS_KEY', text, none, 'PEM private key file of PROCTOR_TLS_CERT'),
  setting('logLevel', 'PROCTOR_LOG_LEVEL', oneOf(LOG_LEVELS), 'info', 'log level'),
  setting('heartbeatTimeoutMs', 'PROCTOR_HEARTBEAT_TIMEOUT', duration, 10_000, 'candidate silence that raises HEARTBEAT_LOST'),
  setting('shutdownTimeoutMs', 'PROCTOR_SHUTDOWN_TIMEOUT', duration, 10_000, 'graceful shutdown limit for requests and jobs in flight'),
  setting('sfuWorkers', 'PROCTOR_SFU_WORKERS', integer(1, 256), () => availableParallelism(), 'mediasoup worker processes (default: one per core)'),
  setting('rtcPort', 'PROCTOR_RTC_PORT', integer(0, 65535), 40000, 'first WebRTC port: worker i uses UDP and TCP port + i (0: any free port)'),
  setting(
    'rtcListenIp',
    'PROCTOR_RTC_LISTEN_IP',
    ipAddress,
    (partial) => (isIP(partial.host ?? '') ? partial.host! : '0.0.0.0'),
    'address the WebRTC ports bind to (default: PROCTOR_HOST)',
  ),
  setting(
    'announcedAddress',
    'PROCTOR_ANNOUNCED_ADDRESS',
    text,
    none,
    'public IP or host name browsers send media to (NAT; default: the listen address, or the first LAN address when it is 0.0.0.0)',
  ),
  setting('iceTcpPort', 'PROCTOR_ICE_TCP_PORT', integer(1, 65535), none, 'extra ICE-TCP port firewalls allow (e.g. 443 on its own address): worker i also takes TCP port + i'),
  setting('turnUrls', 'PROCTOR_TURN_URLS', turnUrls, none, 'TURN servers for the pages, comma-separated turn: / turns: URLs (needs PROCTOR_TURN_SECRET)'),
  setting('turnSecret', 'PROCTOR_TURN_SECRET', minLength(16), none, "coturn's static-auth-secret (use-auth-secret): signs the pages' short-lived TURN credentials"),
  setting('turnTtlMs', 'PROCTOR_TURN_TTL', atLeast(duration, 60_000, 'ms'), DURATION_UNITS.h!, "how long a page's TURN credential may open an allocation"),
  setting(
    'iceTransportPolicy',
    'PROCTOR_ICE_TRANSPORT_POLICY',
    (raw) => oneOf(ICE_TRANSPORT_POLICIES)(raw.toUpperCase()),
    none,
    'relay: the pages send media only through TURN (default: unset, the browser decides)',
  ),
  setting('recording', 'PROCTOR_RECORDING', boolean, true, "record candidates' camera and mic (needs ffmpeg)"),
  setting('ffmpegPath', 'PROCTOR_FFMPEG_PATH', text, 'ffmpeg', 'ffmpeg binary used for recordings'),
  setting('faceChecks', 'PROCTOR_FACE_CHECKS', boolean, true, 'face checks on candidate pages (false: run without the face models, and warn)'),
  setting(
    'faceModelsDir',
    'PROCTOR_FACE_MODELS_DIR',
    text,
    resolve(REPO_ROOT, 'client/models'),
    'face model files served to candidate pages (default: the shipped client/models)',
  ),
  setting('faceModelsUrl', 'PROCTOR_FACE_MODELS_URL', url('http:', 'https:'), none, 'load face models from this base URL instead of the server'),
  setting('faceCheckIntervalMs', 'PROCTOR_FACE_CHECK_INTERVAL', duration, 200, 'face check period on the candidate page'),
  setting('snapshotLimitBytes', 'PROCTOR_SNAPSHOT_LIMIT', byteSize, 256 * 1024, 'largest evidence snapshot upload'),
  setting('snapshotsPerSession', 'PROCTOR_SNAPSHOTS_PER_SESSION', integer(1, 1_000_000), 200, 'evidence snapshots one candidate session may store'),
  setting('snapshotBytesPerSession', 'PROCTOR_SNAPSHOT_BYTES_PER_SESSION', byteSize, 20 * BYTE_UNITS.mb!, 'total evidence snapshot bytes of one candidate session'),
  setting('mediaTransportsPerPeer', 'PROCTOR_MEDIA_TRANSPORTS_PER_CONNECTION', integer(1, 1000), 4, 'WebRTC transports one signaling connection may hold'),
  setting('mediaProducersPerPeer', 'PROCTOR_MEDIA_PRODUCERS_PER_CONNECTION', integer(1, 1000), 4, 'tracks one signaling connection may send (a candidate: also one per source)'),
  setting('mediaMaxIncomingBitrate', 'PROCTOR_MEDIA_MAX_INCOMING_BITRATE', bitrate, 3_000_000, 'most a WebRTC transport may receive'),
  setting('recordingMaxBytes', 'PROCTOR_RECORDING_MAX_SIZE', byteSize, BYTE_UNITS.gb!, 'a recording file stops (finalized, logged) at this size'),
  setting(
    'socketRecheckIntervalMs',
    'PROCTOR_SOCKET_RECHECK_INTERVAL',
    duration,
    10_000,
    "longest a WebSocket's credential goes unverified against the database (revocations close sockets at once; this bounds a lost notification)",
  ),
  setting('webSocketsPerOrg', 'PROCTOR_WEBSOCKETS_PER_ORG', integer(1, 1_000_000), 1000, "concurrent GraphQL WebSocket connections of one org's hosts, tokens and candidates"),
  setting('roomLinkTtlMs', 'PROCTOR_ROOM_LINK_TTL', duration, 5 * DURATION_UNITS.m!, 'validity of a `proctor room` link'),
  setting('roomSessionTtlMs', 'PROCTOR_ROOM_SESSION_TTL', duration, 4 * DURATION_UNITS.h!, 'longest room login a room link gives (it ends with the interview)'),
  setting('jobsUrl', 'PROCTOR_JOBS_URL', url('mongodb:', 'mongodb+srv:'), none, 'MongoDB for background jobs (default: the PostgreSQL database)'),
  setting('runJobs', 'PROCTOR_RUN_JOBS', boolean, true, '`proctor up` processes background jobs (false when `proctor worker`s do)'),
  setting('jobAttempts', 'PROCTOR_JOB_ATTEMPTS', integer(1, 20), 5, 'runs of a report / webhook job before it is FAILED'),
  setting('jobRetryDelayMs', 'PROCTOR_JOB_RETRY_DELAY', duration, 5_000, 'first retry delay of a failed job (doubles each retry)'),
  setting(
    'pendingSweepIntervalMs',
    'PROCTOR_PENDING_SWEEP_INTERVAL',
    atLeast(duration, 100, 'ms'),
    DURATION_UNITS.m!,
    'how often PENDING reports / webhook deliveries left without a job are enqueued again',
  ),
  setting('reportUrlTtlMs', 'PROCTOR_REPORT_URL_TTL', duration, DURATION_UNITS.h!, 'lifetime of a signed download URL (report PDF, composite recording)'),
  setting('webhookTimeoutMs', 'PROCTOR_WEBHOOK_TIMEOUT', duration, 10_000, 'longest a webhook delivery may take, from connecting to the end of the answer'),
  setting('webhookAllowPrivate', 'PROCTOR_WEBHOOK_ALLOW_PRIVATE', boolean, false, 'accept webhook receivers on loopback / private / reserved addresses'),
  setting('summaryLlmUrl', 'PROCTOR_SUMMARY_LLM_URL', url('http:', 'https:'), none, 'OpenAI-compatible API base URL for an optional LLM report summary (off when unset)'),
  setting('summaryLlmModel', 'PROCTOR_SUMMARY_LLM_MODEL', text, 'gpt-4o-mini', 'model name sent to PROCTOR_SUMMARY_LLM_URL'),
  setting('summaryLlmKey', 'PROCTOR_SUMMARY_LLM_KEY', text, none, 'bearer key for PROCTOR_SUMMARY_LLM_URL'),
  setting('transcribe', 'PROCTOR_TRANSCRIBE', boolean, true, 'transcribe interviews after they end (offline with pocketsphinx unless a remote engine is set)'),
  setting('pocketsphinxPath', 'PROCTOR_POCKETSPHINX_PATH', text, 'pocketsphinx_continuous', 'the offline transcription binary (Debian: pocketsphinx, pocketsphinx-en-us)'),
  setting(
    'transcribeUrl',
    'PROCTOR_TRANSCRIBE_URL',
    url('http:', 'https:'),
    none,
    'OpenAI-compatible API base URL for transcription instead of pocketsphinx (the audio is sent there)',
  ),
  setting('transcribeKey', 'PROCTOR_TRANSCRIBE_KEY', text, none, 'bearer key for PROCTOR_TRANSCRIBE_URL'),
  setting('transcribeModel', 'PROCTOR_TRANSCRIBE_MODEL', text, 'whisper-1', 'model name sent to PROCTOR_TRANSCRIBE_URL'),
  setting(
    'transcribeMaxUploadBytes',
    'PROCTOR_TRANSCRIBE_MAX_UPLOAD',
    atLeast(byteSize, 64 * BYTE_UNITS.kb!, 'bytes'),
    24 * BYTE_UNITS.mb!,
    'largest WAV file sent to PROCTOR_TRANSCRIBE_URL in one request (OpenAI refuses more than 25mb): longer speech goes in several',
  ),
  setting('assemblyAiKey', 'PROCTOR_ASSEMBLYAI_KEY', text, none, 'AssemblyAI API key: transcription by AssemblyAI instead of pocketsphinx (the audio is sent there)'),
  setting('assemblyAiUrl', 'PROCTOR_ASSEMBLYAI_URL', url('http:', 'https:'), 'https://api.assemblyai.com', "AssemblyAI's API base URL"),
  setting('transcriptMinConfidence', 'PROCTOR_TRANSCRIPT_MIN_CONFIDENCE', fraction, 0.6, 'transcript turns below this confidence (0-1) are not quoted in reports'),
] as const;

/** PROCTOR_* names read by other parts (the CLI, tests, tooling): known, so not typos. */
const OTHER_KNOWN_NAMES = new Set([
  'PROCTOR_SERVER',
  'PROCTOR_TOKEN',
  'PROCTOR_OPERATOR_KEY',
  'PROCTOR_CONFIG_DIR',
  'PROCTOR_TEST_DATABASE_URL',
  'PROCTOR_TEST_CHROMIUM',
  'PROCTOR_TEST_MONGODB_URL',
  'PROCTOR_SCREENSHOTS_DIR',
  'PROCTOR_NODE_VERSION',
  'PROCTOR_NODE_PREFIX',
]);

export type ConfigOverrides = Partial<Config>;

/**
 * Reads the environment (and explicit overrides such as CLI flags, which win) into a validated
 * Config. Throws ConfigError listing every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const problems: string[] = [];
  const known = new Set<string>([...SETTINGS.map((s) => s.env), ...OTHER_KNOWN_NAMES]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('PROCTOR_') && !known.has(name)) {
      const suggestion = closest(name, [...known]);
      problems.push(`${name} is not a Proctor setting${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
    }
  }

  const config: Partial<Config> = {};
  for (const s of SETTINGS) {
    const override = overrides[s.key];
    const raw = env[s.env];
    if (override !== undefined) {
      (config as Record<string, unknown>)[s.key] = override;
    } else if (raw !== undefined && raw !== '') {
      try {
        (config as Record<string, unknown>)[s.key] = s.parse(raw);
      } catch (error) {
        problems.push(`${s.env}: ${(error as Error).message}`);
      }
    } else {
      (config as Record<string, unknown>)[s.key] = s.fallback(config);
    }
  }
  if (config.databaseReadUrl && !config.databaseUrl) {
    problems.push('PROCTOR_DATABASE_READ_URL needs PROCTOR_DATABASE_URL (the embedded database has no replica)');
  }
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    problems.push('PROCTOR_TLS_CERT and PROCTOR_TLS_KEY go together: set both to serve HTTPS, or neither');
  }
  if (config.operationTimeoutMs !== undefined && config.databaseTimeoutMs !== undefined && config.operationTimeoutMs <= config.databaseTimeoutMs) {
    problems.push('PROCTOR_OPERATION_TIMEOUT must be longer than PROCTOR_DATABASE_TIMEOUT, so that a slow statement fails (and rolls back) before its operation does');
  }
  // (Unless one of them was malformed: that problem is listed already.)
  if (Boolean(config.turnUrls) !== Boolean(config.turnSecret) && !problems.some((problem) => /^PROCTOR_TURN_(URLS|SECRET):/.test(problem))) {
    problems.push('PROCTOR_TURN_URLS and PROCTOR_TURN_SECRET go together: the pages get TURN credentials signed with the secret');
  }
  if (config.iceTransportPolicy === 'RELAY' && !config.turnUrls) {
    problems.push('PROCTOR_ICE_TRANSPORT_POLICY=relay needs PROCTOR_TURN_URLS: without a TURN server no media could flow');
  }
  if (config.iceTcpPort !== undefined && config.rtcPort !== undefined && config.sfuWorkers !== undefined) {
    const workers = config.sfuWorkers;
    const last = config.iceTcpPort + workers - 1;
    if (last > 65535) problems.push(`PROCTOR_ICE_TCP_PORT: ${workers} workers need ports ${config.iceTcpPort}-${last}, past 65535`);
    else if (config.rtcPort !== 0 && config.iceTcpPort <= config.rtcPort + workers - 1 && config.rtcPort <= last) {
      problems.push(`PROCTOR_ICE_TCP_PORT ${config.iceTcpPort}-${last} overlaps the WebRTC ports ${config.rtcPort}-${config.rtcPort + workers - 1} (PROCTOR_RTC_PORT)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config as Config);
}

function closest(name: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= 3 ? best.name : undefined;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export function embeddedDatabaseDir(config: Config): string {
  return join(config.dataDir, 'pgdata');
}
