// The JWT signing key survives a restart; otherwise every login and join link dies with it.
import { withDiagnostics, type Check } from '../check.ts';

export const jwtSecret: Check = {
  id: 'jwt-secret',
  title: 'JWT secret persisted',
  run(context) {
    return withDiagnostics(context, ({ jwtSecret: secret, dataDir: disk }) => {
      if (secret.source === 'environment') return { status: 'ok', detail: 'from PROCTOR_JWT_SECRET' };
      if (secret.persisted) return { status: 'ok', detail: `generated, kept in ${disk.path}` };
      return {
        status: 'fail',
        detail: `the generated key in ${disk.path} is missing or on a tmpfs: logins and join links end at the next restart`,
        remedy: 'put PROCTOR_DATA_DIR on a persistent disk, or set PROCTOR_JWT_SECRET (at least 32 characters)',
      };
    });
  },
};
