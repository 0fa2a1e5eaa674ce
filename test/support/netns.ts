// A restrictive network for one browser: a Linux network namespace joined to this machine by a
// veth pair (its only route), with an nftables firewall inside that lets through only the ports a
// test names and drops everything else — every UDP packet included. Chromium runs inside it
// through a wrapper script used as playwright's executablePath (playwright talks to it over a
// pipe, which `ip netns exec` passes on). Needs root (or CAP_NET_ADMIN); `createTestNetwork`
// throws NetworkUnavailable when namespaces cannot be made, so a test can say so and skip.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from './browser.ts';

const run = promisify(execFile);

export interface PortRule {
  protocol: 'tcp' | 'udp';
  port: number;
}

export interface TestNetwork {
  /** The namespace's name (`ip netns exec NAME …`). */
  name: string;
  /** This machine's end of the link: servers the browser may reach listen here. */
  hostAddress: string;
  /** The namespace's own address. */
  address: string;
  /** A script to use as Chromium's executablePath: the browser then runs inside the namespace. */
  chromium: string;
  /** Replaces the firewall: only these ports of hostAddress are reachable, nothing else. */
  allowOnly(rules: PortRule[]): Promise<void>;
  /** UDP packets the firewall has dropped since the last allowOnly. */
  droppedUdpPackets(): Promise<number>;
  /** Removes the namespace (and with it the link and firewall). Safe to call twice. */
  close(): Promise<void>;
}

export class NetworkUnavailable extends Error {}

/** Namespaces still to remove if the process ends without closing them (a crash, Ctrl-C). */
const open = new Set<string>();
process.once('exit', () => {
  for (const name of open) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
});

export async function createTestNetwork(): Promise<TestNetwork> {
  const id = randomBytes(3).toString('hex');
  const name = `proctor-${id}`;
  const [outside, inside] = [`pv${id}h`, `pv${id}n`];
  // A /30 in 10.231.0.0/16 nobody else on this machine uses (tests may run side by side).
  const used = (await run('ip', ['-o', '-4', 'addr', 'show'])).stdout;
  let subnet: string;
  do subnet = `10.231.${randomInt(256)}.${randomInt(64) * 4}`;
  while (used.includes(` ${subnet.replace(/\d+$/, (last) => String(Number(last) + 1))}/`));
  const base = subnet.split('.').map(Number);
  const hostAddress = [...base.slice(0, 3), base[3]! + 1].join('.');
  const address = [...base.slice(0, 3), base[3]! + 2].join('.');

  try {
    await run('ip', ['netns', 'add', name]);
  } catch (error) {
    throw new NetworkUnavailable(`cannot create a network namespace (${(error as Error).message.split('\n')[0]}): needs root or CAP_NET_ADMIN and iproute2`);
  }
  open.add(name);
  const dir = await mkdtemp(join(tmpdir(), 'proctor-netns-'));
  const close = async () => {
    if (!open.delete(name)) return;
    // Deleting the namespace deletes its veth end, and so the pair.
    await run('ip', ['netns', 'del', name]).catch(() => {});
    await run('ip', ['link', 'del', outside]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  const inNamespace = (...args: string[]) => run('ip', ['netns', 'exec', name, ...args]);
  try {
    await run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    await run('ip', ['link', 'set', inside, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', outside]);
    await run('ip', ['link', 'set', outside, 'up']);
    await inNamespace('ip', 'addr', 'add', `${address}/30`, 'dev', inside);
    await inNamespace('ip', 'link', 'set', inside, 'up');
    await inNamespace('ip', 'link', 'set', 'lo', 'up');
    await inNamespace('ip', 'route', 'add', 'default', 'via', hostAddress);
    const chromium = join(dir, 'chromium-in-netns');
    await writeFile(chromium, `#!/bin/sh\nexec ip netns exec ${name} ${CHROMIUM_PATH} "$@"\n`);
    await chmod(chromium, 0o755);

    const network: TestNetwork = {
      name,
      hostAddress,
      address,
      chromium,
      async allowOnly(rules) {
        const accept = rules.map(({ protocol, port }) => `    ip daddr ${hostAddress} ${protocol} dport ${port} accept`);
        const ruleset = [
          'flush ruleset',
          'table inet proctor {',
          '  chain output {',
          '    type filter hook output priority 0; policy drop;',
          '    oif "lo" accept',
          ...accept,
          '    meta l4proto udp counter drop',
          '  }',
          '}',
        ].join('\n');
        const file = join(dir, 'ruleset.nft');
        await writeFile(file, `${ruleset}\n`);
        await inNamespace('nft', '-f', file);
      },
      async droppedUdpPackets() {
        const { stdout } = await inNamespace('nft', '-j', 'list', 'chain', 'inet', 'proctor', 'output');
        const rules = (JSON.parse(stdout).nftables as { rule?: { expr: { counter?: { packets: number } }[] } }[]).flatMap((item) => item.rule?.expr ?? []);
        return rules.reduce((sum, expr) => sum + (expr.counter?.packets ?? 0), 0);
      },
      close,
    };
    await network.allowOnly([]);
    return network;
  } catch (error) {
    await close();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /nft/.test((error as Error).message)) {
      throw new Error(`setting up the test network failed (is nftables installed? .ci/run installs it): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
