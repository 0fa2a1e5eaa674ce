import { Args } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { instant, table } from '../../format.ts';
import { describeRules, INTERVIEW_FIELDS, type Interview } from '../../interviews.ts';
import { collectPages, PAGE_FIELDS, type Connection } from '../../paging.ts';

interface Candidate {
  id: string;
  name: string;
  email: string;
  createdAt: string;
  linkValidFrom: string;
  linkExpiresAt: string;
  linkRevokedAt: string | null;
}

export default class Show extends ApiCommand<typeof Show> {
  static override summary = 'Show an interview: its state, rules and candidates';
  static override description = EXIT_CODES_HELP;
  static override examples = ['<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60'];
  static override args = {
    id: Args.string({ required: true, description: 'interview ID' }),
  };

  async run(): Promise<Interview & { candidates: Candidate[] }> {
    let interview: Interview | undefined;
    const { nodes: candidates } = await collectPages(
      async (after) => {
        const data = await this.graphql<{ interview: Interview & { candidates: Connection<Candidate> } }>(
          `query($id: ID!, $after: String) { interview(id: $id) { ${INTERVIEW_FIELDS} candidates(first: 100, after: $after) { edges { node { id name email createdAt linkValidFrom linkExpiresAt linkRevokedAt } } ${PAGE_FIELDS} } } }`,
          { id: this.args.id, after },
        );
        const { candidates: page, ...fields } = data.interview;
        interview ??= fields;
        return page;
      },
      { all: true },
    );
    // collectPages fetched at least one page, which set the interview.
    const shown = interview!;
    this.log(`${shown.title} (${shown.status})`);
    this.log(
      table([
        ['ID', shown.id],
        ['Scheduled', instant(shown.scheduledAt)],
        ['Created', instant(shown.createdAt)],
        ['Started', instant(shown.startedAt)],
        ['Ended', instant(shown.endedAt)],
        ['Archived', instant(shown.archivedAt)],
        ['Rules', describeRules(shown.config)],
      ]),
    );
    this.log('');
    if (candidates.length === 0) this.log(`No candidates yet: ${this.config.bin} candidates invite --interview ${shown.id} --name "…" --email …`);
    else {
      this.log('Candidates');
      this.log(
        table([
          ['ID', 'NAME', 'EMAIL', 'LINK VALID FROM', 'UNTIL'],
          ...candidates.map((c) => [c.id, c.name, c.email, instant(c.linkValidFrom), c.linkRevokedAt ? `revoked ${instant(c.linkRevokedAt)}` : instant(c.linkExpiresAt)]),
        ]),
      );
    }
    return { ...shown, candidates };
  }
}
