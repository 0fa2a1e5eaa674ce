import { ApiCommand, EXIT_CODES_HELP } from '../base-command.ts';

interface Viewer {
  org: { id: string; name: string };
  host: { id: string; email: string } | null;
  apiToken: { id: string; name: string } | null;
}

export default class Whoami extends ApiCommand<typeof Whoami> {
  static override summary = 'Show who the current token acts as: a host, or an API token, and its organisation';
  static override description = EXIT_CODES_HELP;
  static override examples = ['<%= config.bin %> <%= command.id %>', { description: 'Check an API token', command: '<%= config.bin %> <%= command.id %> --token ptk_…' }];

  async run(): Promise<Viewer & { server: string }> {
    const { me } = await this.graphql<{ me: Viewer }>('{ me { org { id name } host { id email } apiToken { id name } } }');
    const who = me.host ? me.host.email : `API token "${me.apiToken?.name}"`;
    this.log(`${who} in ${me.org.name} on ${this.server}`);
    return { server: this.server, ...me };
  }
}
