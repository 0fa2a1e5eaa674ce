// The database answers the server, and its schema is current.
import { withDiagnostics, type Check } from '../check.ts';

export const database: Check = {
  id: 'database',
  title: 'Database and migrations',
  run(context) {
    return withDiagnostics(context, ({ database: db }) => {
      const kind = db.kind === 'embedded' ? 'embedded database' : 'PostgreSQL server';
      if (!db.reachable) {
        return {
          status: 'fail',
          detail: `the ${kind} does not answer: ${db.problem}`,
          remedy: db.kind === 'embedded' ? 'restart proctor up (see its log for the embedded database)' : 'check the PostgreSQL server and PROCTOR_DATABASE_URL',
        };
      }
      if (db.pendingMigrations.length > 0) {
        return {
          status: 'fail',
          detail: `${db.pendingMigrations.length} migrations not applied: ${db.pendingMigrations.join(', ')}`,
          remedy: 'restart proctor up: it applies migrations at start',
        };
      }
      return { status: 'ok', detail: `${kind} answers, ${db.appliedMigrations} migrations applied, none pending` };
    });
  },
};
