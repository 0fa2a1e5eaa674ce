// What the server knows of its own health and nobody outside can see: ffmpeg, the RTC sockets,
// migrations, free space, the database clock, where the JWT key lives. `proctor doctor` combines
// it with what it sees from outside. Each fact is gathered on its own: one that fails (the
// database down) leaves the others to report.
import { access, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { JWT_SECRET_FILE, type ServerDiagnostics } from '../../contract/diagnostics.ts';
import type { Config } from '../config.ts';
import { probeFfmpeg, type MediaRuntime } from '../media/setup.ts';
import { TurnCredentials } from '../media/turn-credentials.ts';

/** The doctor's TURN credential lasts this long (or the configured TTL, when shorter): enough for one probe. */
const DOCTOR_TURN_TTL_MS = 5 * 60_000;

/** statfs's type of a tmpfs: memory, gone at reboot. */
const TMPFS_MAGIC = 0x01021994;

export interface DiagnosticsSources {
  config: Config;
  orm: MikroORM;
  media: MediaRuntime | undefined;
  publicUrl: () => string;
}

export async function collectDiagnostics({ config, orm, media, publicUrl }: DiagnosticsSources): Promise<ServerDiagnostics> {
  const [database, recording, rtc, disk] = await Promise.all([databaseFacts(orm, config), recordingFacts(config), rtcFacts(media), statfs(config.dataDir)]);
  return {
    serverTime: new Date().toISOString(),
    publicUrl: publicUrl(),
    database,
    recording,
    transcription: { configured: false },
    rtc,
    dataDir: { path: config.dataDir, freeBytes: disk.bavail * disk.bsize, totalBytes: disk.blocks * disk.bsize },
    jwtSecret: config.jwtSecret
      ? { source: 'environment', persisted: true }
      : { source: 'data-dir', persisted: disk.type !== TMPFS_MAGIC && (await exists(join(config.dataDir, JWT_SECRET_FILE))) },
    turn: turnFacts(config),
  };
}

/**
 * A short-lived credential minted as for a page (coturn logs its user as `proctor-doctor`). Only
 * the operator route carries it, never the secret it is signed with.
 */
function turnFacts(config: Config): ServerDiagnostics['turn'] {
  if (!config.turnUrls || !config.turnSecret) return null;
  const turn = new TurnCredentials({ urls: config.turnUrls, secret: config.turnSecret, ttlMs: Math.min(config.turnTtlMs, DOCTOR_TURN_TTL_MS) });
  return turn.issue('proctor-doctor');
}

async function databaseFacts(orm: MikroORM, config: Config): Promise<ServerDiagnostics['database']> {
  const kind = config.databaseUrl ? 'server' : 'embedded';
  try {
    const before = Date.now();
    const [row] = await orm.em.getConnection().execute<{ now: Date }[]>('select clock_timestamp() as now');
    const after = Date.now();
    const [pending, executed] = await Promise.all([orm.migrator.getPending(), orm.migrator.getExecuted()]);
    return {
      kind,
      reachable: true,
      pendingMigrations: pending.map((migration) => migration.name),
      appliedMigrations: executed.length,
      clockOffsetMs: new Date(row!.now).getTime() - (before + after) / 2,
      clockUncertaintyMs: (after - before) / 2,
    };
  } catch (error) {
    return { kind, reachable: false, problem: (error as Error).message, pendingMigrations: [], appliedMigrations: 0 };
  }
}

async function recordingFacts(config: Config): Promise<ServerDiagnostics['recording']> {
  if (!config.recording) return { enabled: false, ffmpegPath: config.ffmpegPath };
  const { version, problem } = await probeFfmpeg(config.ffmpegPath);
  return { enabled: true, ffmpegPath: config.ffmpegPath, ffmpegVersion: version, problem };
}

async function rtcFacts(media: MediaRuntime | undefined): Promise<ServerDiagnostics['rtc']> {
  if (!media) return null;
  return { listenIp: media.listenIp, announcedAddress: media.announcedAddress, workers: await media.pool.listening() };
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
