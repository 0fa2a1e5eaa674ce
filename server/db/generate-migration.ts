// Writes a migration for the difference between the entities and the committed migrations:
//   node server/db/generate-migration.ts <name>
// It replays the committed migrations on a throw-away in-memory PGlite, diffs, and writes the
// new file under server/db/migrations/ (then add it to migrations/index.ts).
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm.ts';

const name = process.argv[2];
if (!name) {
  console.error('usage: node server/db/generate-migration.ts <name>');
  process.exit(2);
}
const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
await server.start();
const orm = await MikroORM.init(ormConfig({ url: `postgres://postgres@${server.getServerConn()}/postgres`, poolSize: 2 }));
try {
  const initial = (await orm.migrator.getPending()).length === 0 && (await orm.migrator.getExecuted()).length === 0;
  await orm.migrator.up();
  const result = await orm.migrator.create(undefined, false, initial, name);
  console.log(result.fileName ? `wrote server/db/migrations/${result.fileName}` : 'no schema changes');
} finally {
  await orm.close(true);
  await server.stop();
  await db.close();
}
