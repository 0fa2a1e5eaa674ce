// MikroORM set-up: one primary pool, an optional read replica for dashboard reads, and the
// committed migrations, applied at start-up.
import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.ts';
import { migrations } from './migrations/index.ts';

export interface DatabaseOptions {
  url: string;
  readUrl?: string | undefined;
  poolSize: number;
}

export function ormConfig(options: DatabaseOptions) {
  return defineConfig({
    clientUrl: options.url,
    entities,
    pool: { min: 0, max: options.poolSize },
    debug: false,
    // Reads go to the primary unless a query asks for the replica (read-your-writes by default).
    preferReadReplicas: false,
    replicas: options.readUrl ? [{ name: 'read', clientUrl: options.readUrl }] : [],
    extensions: [Migrator],
    migrations: { path: 'server/db/migrations', glob: 'Migration*.ts', snapshot: false, silent: true, migrationsList: migrations },
  });
}

export async function openOrm(options: DatabaseOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(options));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
