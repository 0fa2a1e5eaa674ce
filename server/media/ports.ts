// Local UDP ports for ffmpeg: free pairs (RTP on an even port, RTCP on the next) for it to listen
// on, and which ports it has bound once started. Free pairs are probed by binding and releasing:
// another process could take one in between, which ffmpeg would report as a failed start; the
// window is milliseconds.
import { createSocket, type Socket } from 'node:dgram';
import { readdir, readFile, readlink } from 'node:fs/promises';

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

/**
 * The local UDP ports process `pid` has bound, read from Linux's /proc (its socket descriptors,
 * matched by inode against the kernel's UDP tables); undefined where /proc cannot tell (another
 * OS, or the process is gone).
 */
export async function udpPortsBoundBy(pid: number): Promise<Set<number> | undefined> {
  let inodes: Set<string>;
  try {
    const links = await Promise.all((await readdir(`/proc/${pid}/fd`)).map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    inodes = new Set(links.map((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1]).filter((inode) => inode !== undefined));
  } catch {
    return undefined;
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    // "  sl  local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local && inodes.has(fields[9] ?? '')) ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}
