// Committed migrations, applied in this order at start-up.
import { Migration20261124181218_init } from './Migration20261124181218_init.ts';
import { Migration20261124184852_millisecond_timestamps } from './Migration20261124184852_millisecond_timestamps.ts';

export const migrations = [Migration20261124181218_init, Migration20261124184852_millisecond_timestamps];
