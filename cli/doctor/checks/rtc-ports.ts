// The media ports: every SFU worker is running with its sockets bound, and its TCP port answers
// on the announced address from here. UDP cannot be probed without an ICE session: its binding
// is what the server reports.
import { connect } from 'node:net';
import { isIP } from 'node:net';
import { isLocalhost, withDiagnostics, type Check, type CheckOutcome } from '../check.ts';
import { reason } from './public-url.ts';

export const rtcPorts: Check = {
  id: 'rtc-ports',
  title: 'RTC ports',
  run(context) {
    return withDiagnostics(context, async ({ rtc }) => {
      if (!rtc) return { status: 'info', detail: 'this process runs no SFU' };
      const down = rtc.workers.filter((worker) => !worker.running);
      if (down.length > 0) {
        return {
          status: 'fail',
          detail: down.map((worker) => `worker ${worker.index} is not running: ${worker.problem ?? 'restarting'}`).join('; '),
          remedy: `another program may hold its port: find it (ss -tulpn), stop it or move PROCTOR_RTC_PORT, then restart proctor up`,
        };
      }
      const tcp = rtc.workers.flatMap((worker) => worker.listen.filter((socket) => socket.protocol === 'tcp'));
      const udp = rtc.workers.flatMap((worker) => worker.listen.filter((socket) => socket.protocol === 'udp'));
      const unreachable: string[] = [];
      for (const { port } of tcp) {
        const problem = await tcpProbe(rtc.announcedAddress, port, context.timeoutMs);
        if (problem) unreachable.push(`TCP ${rtc.announcedAddress}:${port} (${problem})`);
      }
      const ports = `UDP ${udp.map((s) => s.port).join(',')} and TCP ${tcp.map((s) => s.port).join(',')} bound on ${rtc.listenIp}, announced as ${rtc.announcedAddress}`;
      if (unreachable.length > 0) {
        return {
          status: 'fail',
          detail: `${ports}; unreachable from here: ${unreachable.join(', ')}`,
          remedy: 'open these UDP and TCP ports in the firewall, and set PROCTOR_ANNOUNCED_ADDRESS to the address candidates reach this machine at',
        };
      }
      const loopbackOnly = isIP(rtc.announcedAddress) !== 0 && /^(127\.|::1$)/.test(rtc.announcedAddress) && !isLocalhost(context.publicUrl);
      if (loopbackOnly) {
        return {
          status: 'warn',
          detail: `${ports}: only this machine can send media to a loopback address`,
          remedy: 'set PROCTOR_ANNOUNCED_ADDRESS to the public address',
        } satisfies CheckOutcome;
      }
      return { status: 'ok', detail: `${ports}; TCP answers from here` };
    });
  },
};

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs }, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timed out');
    });
    socket.once('error', (error) => resolve(reason(error)));
  });
}
