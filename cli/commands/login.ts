import { Flags } from '@oclif/core';
import { AUTH_FIELDS, AuthCommand, passwordFlag, type AuthPayload } from '../auth-command.ts';
import { EXIT_CODES_HELP, ExitCode } from '../base-command.ts';

export default class Login extends AuthCommand<typeof Login> {
  static override summary = 'Log in as a host and save the login for later commands';
  static override description = `Host logins expire (12 hours by default); log in again when a command says so.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --email ada@example.com',
    { description: 'Log in again as the last email used', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Non-interactively, password on stdin',
      command: '$ echo "$PASSWORD" | <%= config.bin %> <%= command.id %> --server https://proctor.example.com --email ada@example.com',
    },
  ];
  static override flags = {
    email: Flags.string({ description: 'your email [default: the last one you logged in with]' }),
    password: passwordFlag,
  };

  async run() {
    const email = this.flags.email ?? this.saved.email;
    if (!email) this.error('Which host? Pass --email', { exit: ExitCode.usage });
    const password = await this.password(this.flags.password, { confirm: false });
    const { logIn } = await this.graphql<{ logIn: AuthPayload }>(
      `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { ${AUTH_FIELDS} } }`,
      { email, password },
    );
    return this.remember(logIn);
  }
}
