// Clocks agree: the database's with the server's (events are stamped by both), and the server's
// with this machine's. Each comparison allows for the round trip it was measured over.
import { withDiagnostics, type Check } from '../check.ts';

/** Farther apart than this, event times and token lifetimes drift visibly. */
const TOLERANCE_MS = 1000;

export const clock: Check = {
  id: 'clock',
  title: 'Clocks in sync',
  run(context) {
    return withDiagnostics(context, ({ serverTime, database }) => {
      const { sentAt, receivedAt } = context.diagnostics!;
      const uncertainty = (receivedAt - sentAt) / 2;
      const serverOffset = new Date(serverTime).getTime() - (sentAt + receivedAt) / 2;
      const databaseOffset = database.clockOffsetMs ?? 0;
      const databaseUncertainty = database.clockUncertaintyMs ?? 0;
      const problems: string[] = [];
      if (Math.abs(databaseOffset) > TOLERANCE_MS + databaseUncertainty) problems.push(`the database's clock is ${signed(databaseOffset)} from the server's`);
      if (Math.abs(serverOffset) > TOLERANCE_MS + uncertainty) problems.push(`the server's clock is ${signed(serverOffset)} from this machine's`);
      const detail = `database ${signed(databaseOffset)} (±${Math.round(databaseUncertainty)} ms) from the server, server ${signed(serverOffset)} (±${Math.round(uncertainty)} ms) from this machine`;
      if (problems.length > 0) return { status: 'fail', detail: problems.join('; '), remedy: 'turn on time sync on every machine (timedatectl set-ntp true, or chrony)' };
      return { status: 'ok', detail };
    });
  },
};

function signed(ms: number): string {
  const rounded = Math.round(ms);
  return `${rounded >= 0 ? '+' : ''}${Math.abs(rounded) >= 10_000 ? `${(rounded / 1000).toFixed(0)} s` : `${rounded} ms`}`;
}
