import { Command } from '@oclif/core';
import { ClientConfigFile } from '../client-config.ts';

export default class Logout extends Command {
  static override summary = 'Forget the saved login token';
  static override description =
    'Removes the token `proctor login` saved; the server and email stay, so `proctor login` asks only for the password. ' +
    'A login token stays valid until it expires: revoke API tokens with `proctor tokens revoke`.';
  static override examples = ['<%= config.bin %> <%= command.id %>'];
  static override enableJsonFlag = true;

  async run(): Promise<{ loggedOut: boolean; configFile: string }> {
    await this.parse(Logout);
    const file = new ClientConfigFile();
    const { token, ...rest } = await file.read();
    if (token) await file.write(rest);
    this.log(token ? `Logged out (token removed from ${file.path})` : 'Not logged in');
    return { loggedOut: Boolean(token), configFile: file.path };
  }
}
