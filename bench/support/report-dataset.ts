// A large ended interview for the report bench, inserted in a few INSERT … SELECT statements:
// one candidate, one session, `violations` violations (one event each) spread over the
// interview, and `snapshots` JPEG snapshots linked to violations as the candidate page links them.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { VIOLATION_TYPES, SEVERITIES } from '../../server/db/entities.ts';
import { DEFAULT_INTERVIEW_CONFIG } from '../../server/services/interviews.ts';

export interface LargeInterviewShape {
  minutes: number;
  violations: number;
  /** Paths of JPEGs to copy in as snapshots. */
  jpegs: string[];
}

/** Inserts the interview and a PENDING report; returns their ids. */
export async function seedLargeInterview(orm: MikroORM, dataDir: string, hostId: string, shape: LargeInterviewShape): Promise<{ interviewId: string; reportId: string }> {
  const connection = orm.em.getConnection();
  const endedAt = new Date();
  const startedAt = new Date(endedAt.getTime() - shape.minutes * 60_000);
  const [interview] = await connection.execute<{ id: string }[]>(
    `insert into interviews (id, org_id, host_id, title, status, config, created_at, started_at, ended_at)
     select gen_random_uuid(), h.org_id, h.id, 'Benchmark: 60-minute interview', 'COMPLETED', ?::jsonb, ?, ?, ? from hosts h where h.id = ? returning id`,
    [JSON.stringify(DEFAULT_INTERVIEW_CONFIG), startedAt, startedAt, endedAt, hostId],
  );
  const interviewId = interview!.id;
  const [candidate] = await connection.execute<{ id: string }[]>(
    `insert into candidates (id, interview_id, name, email, join_token_hash, token_not_before, token_expires_at, created_at)
     values (gen_random_uuid(), ?, 'Bench Candidate', 'bench@example.com', md5(random()::text) || md5(random()::text), ?, ?, ?) returning id`,
    [interviewId, startedAt, endedAt, startedAt],
  );
  const candidateId = candidate!.id;
  const [session] = await connection.execute<{ id: string }[]>(
    'insert into sessions (id, candidate_id, interview_id, start_time, end_time) values (gen_random_uuid(), ?, ?, ?, ?) returning id',
    [candidateId, interviewId, startedAt, endedAt],
  );
  const spacingMs = (shape.minutes * 60_000) / shape.violations;
  await connection.execute(
    `insert into violations (id, session_id, candidate_id, interview_id, type, severity, timestamp, count, duration_ms)
     select gen_random_uuid(), ?, ?, ?, (?::text[])[1 + g % ?], (?::text[])[1 + g % 4], ?::timestamptz + g * ? * interval '1 millisecond', 1 + g % 3, (g % 7) * 1000
     from generate_series(0, ? - 1) g`,
    [session!.id, candidateId, interviewId, `{${VIOLATION_TYPES.join(',')}}`, VIOLATION_TYPES.length, `{${SEVERITIES.join(',')}}`, startedAt, spacingMs, shape.violations],
  );
  await connection.execute(
    `insert into events (id, session_id, seq, type, occurred_at, received_at, duration_ms, violation_id)
     select gen_random_uuid(), session_id, (row_number() over (order by timestamp, id))::int, type, timestamp, timestamp, duration_ms, id from violations where interview_id = ?`,
    [interviewId],
  );
  const dir = join(dataDir, 'snapshots', interviewId);
  await mkdir(dir, { recursive: true });
  // Named and linked as the candidate page's uploads are (<uuid>.jpg under /api/snapshots/), so the host's GET serves them.
  const names = shape.jpegs.map(() => `${randomUUID()}.jpg`);
  await Promise.all(shape.jpegs.map((jpeg, i) => copyFile(jpeg, join(dir, names[i]!))));
  // Every step-th violation gets a snapshot: the first name, the second, …
  const step = Math.max(1, Math.floor(shape.violations / shape.jpegs.length));
  await connection.execute(
    `update violations v set snapshot_url = '/api/snapshots/' || v.interview_id || '/' || (?::text[])[n.rank / ?]
     from (select id, row_number() over (order by timestamp, id) as rank from violations where interview_id = ?) n
     where v.id = n.id and n.rank % ? = 0 and n.rank / ? <= ?`,
    [`{${names.join(',')}}`, step, interviewId, step, step, shape.jpegs.length],
  );
  const [report] = await connection.execute<{ id: string }[]>(
    `insert into reports (id, interview_id, candidate_id, status, attempts, created_at) values (gen_random_uuid(), ?, ?, 'PENDING', 0, now()) returning id`,
    [interviewId, candidateId],
  );
  return { interviewId, reportId: report!.id };
}
