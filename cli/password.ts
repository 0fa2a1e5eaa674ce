// Reads a password without a flag: typed at a hidden prompt on a terminal, otherwise the first
// line of stdin (so scripts can pipe it in and keep it out of the process list).
import { createInterface } from 'node:readline';

export async function readPassword(options: { confirm: boolean }): Promise<string | undefined> {
  if (!process.stdin.isTTY) return firstLine();
  const password = await promptHidden('Password: ');
  if (options.confirm && (await promptHidden('Repeat password: ')) !== password) {
    throw new Error('The passwords do not match');
  }
  return password;
}

async function firstLine(): Promise<string | undefined> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  // Returning from the loop closes the interface, so a stdin that never ends cannot hold us.
  for await (const line of lines) return line;
  return undefined;
}

function promptHidden(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(typed);
          return;
        }
        // Raw mode turns Ctrl-C into a character instead of a signal.
        if (char === '\u0003') {
          finish();
          reject(new Error('Cancelled'));
          return;
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}
