// What `signup` and `login` share: getting a password without putting it on the command line,
// and saving the resulting login for the commands that follow.
import { Flags, type Command } from '@oclif/core';
import { ApiCommand, ExitCode } from './base-command.ts';
import { readPassword } from './password.ts';

export interface AuthPayload {
  token: string;
  host: { id: string; email: string };
}

export const AUTH_FIELDS = 'token host { id email }';

export const passwordFlag = Flags.string({
  description: 'password; safer left out: asked for on a terminal, otherwise read from the first line of stdin',
});

export abstract class AuthCommand<T extends typeof Command> extends ApiCommand<T> {
  protected async password(given: string | undefined, options: { confirm: boolean }): Promise<string> {
    const password = given ?? (await readPassword(options));
    if (!password) this.error('No password given: pass --password, type it when asked, or pipe it on stdin', { exit: ExitCode.usage });
    return password;
  }

  /** Saves the login as the default for this user's next commands. */
  protected async remember(auth: AuthPayload): Promise<AuthPayload & { server: string }> {
    await this.clientConfig.write({ server: this.server, token: auth.token, email: auth.host.email });
    this.log(`Logged in to ${this.server} as ${auth.host.email}`);
    return { server: this.server, ...auth };
  }
}
