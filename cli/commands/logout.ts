import { ApiCommand, ApiError, EXIT_CODES_HELP } from '../base-command.ts';

export interface LogoutResult {
  loggedOut: boolean;
  configFile: string;
  server?: string;
  /** The server voided the login (or it had already ended there); false when it could not be told. */
  revokedOnServer?: boolean;
  /** Why the server could not be told. */
  serverError?: { code: string; message: string };
}

export default class Logout extends ApiCommand<typeof Logout> {
  static override summary = 'Log out: void the saved login on its server, then forget it';
  static override description =
    'Sends `logOut` to the server the saved login was issued by, which voids that login at once (its open ' +
    'live connections close), then removes it from the config file; the server and email stay, so ' +
    '`proctor login` asks only for the password. When the server cannot be reached the login is still ' +
    'forgotten here, and a warning says it stays valid on the server until it expires. API tokens are ' +
    `not logged out: revoke them with \`proctor tokens revoke\`.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  // Only the saved login is logged out, on the server that issued it: no --server / --token (nor
  // PROCTOR_SERVER / PROCTOR_TOKEN) may redirect the call or void another credential. Without
  // those flags ApiCommand falls back to the saved server and its token.
  static override baseFlags = {} as typeof ApiCommand.baseFlags;

  async run(): Promise<LogoutResult> {
    const { token, ...rest } = this.saved;
    const configFile = this.clientConfig.path;
    if (!token) {
      this.log('Not logged in');
      return { loggedOut: false, configFile };
    }
    const told = await this.#tellServer();
    await this.clientConfig.write(rest);
    if (told.revokedOnServer) {
      this.log(`Logged out of ${this.server}: the login is void on the server and removed from ${configFile}`);
    } else {
      this.log(`Logged out (token removed from ${configFile})`);
      this.warn(`The server at ${this.server} could not be told (${told.serverError!.message}): the login stays valid there until it expires`);
    }
    return { loggedOut: true, configFile, server: this.server, ...told };
  }

  async #tellServer(): Promise<Pick<LogoutResult, 'revokedOnServer' | 'serverError'>> {
    try {
      await this.request<{ logOut: boolean }>('mutation { logOut }');
      return { revokedOnServer: true };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // A login the server no longer accepts (expired, already logged out) is void already.
      if (error.code === 'UNAUTHENTICATED') return { revokedOnServer: true };
      return { revokedOnServer: false, serverError: { code: error.code, message: error.message } };
    }
  }
}
