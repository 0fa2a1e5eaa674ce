// Free space where the database, recordings and snapshots are written.
import { withDiagnostics, type Check } from '../check.ts';

const GIB = 1024 ** 3;
/** Below this, recordings may stop mid-interview. */
const FAIL_BYTES = 1 * GIB;
/** Below this, a day of interviews may not fit (a recording may reach PROCTOR_RECORDING_MAX_SIZE, 1 GB by default). */
const WARN_BYTES = 5 * GIB;

export const dataDir: Check = {
  id: 'data-dir',
  title: 'Data dir free space',
  run(context) {
    return withDiagnostics(context, ({ dataDir: disk }) => {
      const detail = `${(disk.freeBytes / GIB).toFixed(1)} GiB free of ${(disk.totalBytes / GIB).toFixed(1)} GiB at ${disk.path}`;
      const remedy = 'free space there, move PROCTOR_DATA_DIR to a larger disk, or shorten the retention of recordings';
      if (disk.freeBytes < FAIL_BYTES) return { status: 'fail', detail, remedy };
      if (disk.freeBytes < WARN_BYTES) return { status: 'warn', detail, remedy };
      return { status: 'ok', detail };
    });
  },
};
