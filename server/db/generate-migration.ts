// Writes a migration for the difference between the entities and the committed migrations:
//   node server/db/generate-migration.ts <name>
// It replays the committed migrations on a throw-away in-memory PGlite, diffs, and writes the
// new file under server/db/migrations/ (then add it to migrations/index.ts).
import { PGlite } from '@electric-sql/pglite';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm.ts';
import { PGliteWireServer } from './pglite-wire-server.ts';

const name = process.argv[2];
if (!name) {
  console.error('usage: node server/db/generate-migration.ts <name>');
  process.exit(2);
}
const db = await PGlite.create();
const server = await PGliteWireServer.create({ db, waitTimeoutMs: 60_000 });
const orm = await MikroORM.init(ormConfig({ url: `postgres://postgres@${server.address}/postgres`, poolSize: 2 }));
try {
  const initial = (await orm.migrator.getPending()).length === 0 && (await orm.migrator.getExecuted()).length === 0;
  await orm.migrator.up();
  const result = await orm.migrator.create(undefined, false, initial, name);
  console.log(result.fileName ? `wrote server/db/migrations/${result.fileName}` : 'no schema changes');
} finally {
  await orm.close(true);
  await server.close();
  await db.close();
}
