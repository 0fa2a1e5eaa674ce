// Opens a link in the default browser (`proctor room --open`, `proctor review --open`).
import { spawn } from 'node:child_process';

const OPENERS: Partial<Record<NodeJS.Platform, [string, ...string[]]>> = { darwin: ['open'], win32: ['cmd', '/c', 'start', '""'], linux: ['xdg-open'] };

/** False when no opener could be started here (a server without a desktop). */
export function openInBrowser(url: string): Promise<boolean> {
  const [command, ...args] = OPENERS[process.platform] ?? OPENERS.linux!;
  return new Promise((resolve) => {
    const child = spawn(command, [...args, url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
