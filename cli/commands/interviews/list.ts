import { Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { instant, table } from '../../format.ts';
import { INTERVIEW_STATUSES } from '../../../contract/interview.ts';
import { INTERVIEW_FIELDS, type Interview } from '../../interviews.ts';
import { collectPages, morePagesHint, PAGE_FIELDS, pagingFlags, type Connection } from '../../paging.ts';

export default class List extends ApiCommand<typeof List> {
  static override summary = "List the organisation's interviews, oldest first";
  static override description = EXIT_CODES_HELP;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'Every live interview', command: '<%= config.bin %> <%= command.id %> --status LIVE --all' },
    { description: 'IDs for a script', command: "<%= config.bin %> <%= command.id %> --all --json | jq -r '.interviews[].id'" },
  ];
  static override flags = {
    status: Flags.option({ options: INTERVIEW_STATUSES, description: 'only interviews in this state' })(),
    ...pagingFlags,
  };

  async run(): Promise<{ interviews: Interview[]; nextCursor: string | null }> {
    const { status, first, after, all } = this.flags;
    const { nodes, nextCursor } = await collectPages(
      async (cursor) =>
        (
          await this.graphql<{ interviews: Connection<Interview> }>(
            `query($status: InterviewStatus, $first: Int, $after: String) { interviews(status: $status, first: $first, after: $after) { edges { node { ${INTERVIEW_FIELDS} } } ${PAGE_FIELDS} } }`,
            { status, first, after: cursor },
          )
        ).interviews,
      { after, all },
    );
    if (nodes.length === 0) this.log('No interviews');
    else this.log(table([['ID', 'STATUS', 'SCHEDULED', 'TITLE'], ...nodes.map((i) => [i.id, i.status, instant(i.scheduledAt), i.title])]));
    if (nextCursor) this.log(morePagesHint(nextCursor));
    return { interviews: nodes, nextCursor };
  }
}
