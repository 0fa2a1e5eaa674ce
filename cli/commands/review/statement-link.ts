import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { instant } from '../../format.ts';
import { STATEMENT_LINK_HOURS } from '../../../contract/review.ts';

interface StatementLink {
  url: string;
  expiresAt: string;
}

export default class StatementLinkCommand extends ApiCommand<typeof StatementLinkCommand> {
  static override summary = 'A signed link for the candidate of a completed review: the flags, the decision, and one written statement';
  static override description = `The org must have candidate statements on (setOrgCandidateStatements). The candidate may leave one statement; it is kept with the review and the report is made again as a new version that prints it (\`proctor report <interview> --wait\`).\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> 6f1c1a9e-… --candidate 2d4e… --hours 72'];
  static override args = { interview: Args.string({ required: true, description: 'interview ID' }) };
  static override flags = {
    candidate: Flags.string({ required: true, description: 'candidate ID' }),
    hours: Flags.integer({ description: `how long the link works (${STATEMENT_LINK_HOURS.min}–${STATEMENT_LINK_HOURS.max}, default ${STATEMENT_LINK_HOURS.default})` }),
  };

  async run(): Promise<StatementLink> {
    const { candidateStatementLink: link } = await this.graphql<{ candidateStatementLink: StatementLink }>(
      `mutation($interviewId: ID!, $candidateId: ID!, $hours: Int) {
        candidateStatementLink(interviewId: $interviewId, candidateId: $candidateId, expiresInHours: $hours) { url expiresAt } }`,
      { interviewId: this.args.interview, candidateId: this.flags.candidate, hours: this.flags.hours ?? null },
    );
    this.log(`Statement link for the candidate (valid until ${instant(link.expiresAt).replace('T', ' ').replace('Z', '')} UTC):`);
    this.log(`  ${link.url}`);
    return link;
  }
}
