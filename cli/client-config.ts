// The per-user CLI settings file: which server to talk to and the login token `proctor login`
// obtained. It holds a credential, so it is written owner-only and replaced atomically.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';

export const DEFAULT_SERVER = 'http://localhost:4000';

export interface ClientSettings {
  server?: string;
  token?: string;
  email?: string;
}

export class ClientConfigFile {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const directory = env.PROCTOR_CONFIG_DIR || envPaths('proctor', { suffix: '' }).config;
    this.path = join(directory, 'config.json');
  }

  /** The saved settings; none when the file does not exist yet. */
  async read(): Promise<ClientSettings> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      return JSON.parse(text) as ClientSettings;
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON (${(error as Error).message}): fix it, or delete it and log in again`, { cause: error });
    }
  }

  async write(settings: ClientSettings): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // A fresh file created 0600 then renamed over the old one: the token is never readable by
    // others, not even briefly, and a crash mid-write cannot leave half a file.
    const staging = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(staging, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
      await rename(staging, this.path);
    } catch (error) {
      await rm(staging, { force: true });
      throw error;
    }
  }
}
