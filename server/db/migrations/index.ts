// Committed migrations, applied in this order at start-up.
import { Migration20261124181218_init } from './Migration20261124181218_init.ts';

export const migrations = [Migration20261124181218_init];
