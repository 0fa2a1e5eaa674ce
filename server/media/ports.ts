// Free local UDP port pairs (RTP on an even port, RTCP on the next) for ffmpeg to listen on.
// Probed by binding and releasing: another process could take one in between, which ffmpeg
// would report as a failed start; the window is milliseconds.
import { createSocket, type Socket } from 'node:dgram';

function bind(port: number, ip: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, ip, () => resolve(socket));
  });
}

export async function freeUdpPortPair(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = await bind(0, ip);
    if (!probe) continue;
    const port = probe.address().port;
    probe.close();
    const even = port % 2 === 0 ? port : port + 1;
    if (even + 1 > 65535) continue;
    const [rtp, rtcp] = await Promise.all([bind(even, ip), bind(even + 1, ip)]);
    rtp?.close();
    rtcp?.close();
    if (rtp && rtcp) return even;
  }
  throw new Error('no free UDP port pair for the recorder');
}
