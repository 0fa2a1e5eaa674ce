import { Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { instant } from '../../format.ts';
import type { Accommodations } from '../../../contract/accommodations.ts';
import { ACCOMMODATION_FLAGS, ACCOMMODATIONS_SELECTION, accommodationLines, accommodationsInput } from '../../accommodations.ts';

interface Invitation {
  link: string;
  token: string;
  candidate: { id: string; interviewId: string; name: string; email: string; linkValidFrom: string; linkExpiresAt: string; accommodations: Accommodations };
}

export default class Invite extends ApiCommand<typeof Invite> {
  static override summary = 'Invite a candidate to an interview and print their join link';
  static override description = `The link is shown only once (the server keeps just a hash): send it to the candidate.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --interview 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60 --name "Grace Hopper" --email grace@example.com',
    {
      description: 'Just the link, for a script',
      command: '<%= config.bin %> <%= command.id %> --interview 6f1c1a9e-… --name Grace --email grace@example.com --json | jq -r .link',
    },
  ];
  static override flags = {
    interview: Flags.string({ required: true, description: 'interview ID' }),
    name: Flags.string({ required: true, description: "the candidate's name, shown to the interviewer" }),
    email: Flags.string({ required: true, description: "the candidate's email" }),
    ...ACCOMMODATION_FLAGS,
  };

  async run(): Promise<Invitation> {
    const { inviteCandidate: invitation } = await this.graphql<{ inviteCandidate: Invitation }>(
      `mutation($interviewId: ID!, $name: String!, $email: String!, $accommodations: AccommodationsInput) {
        inviteCandidate(interviewId: $interviewId, name: $name, email: $email, accommodations: $accommodations) {
          link token candidate { id interviewId name email linkValidFrom linkExpiresAt accommodations ${ACCOMMODATIONS_SELECTION} } } }`,
      { interviewId: this.flags.interview, name: this.flags.name, email: this.flags.email, accommodations: accommodationsInput(this.flags) ?? null },
    );
    const { candidate } = invitation;
    this.log(`Invited ${candidate.name} <${candidate.email}> (candidate ${candidate.id})`);
    this.log(`Join link, valid ${instant(candidate.linkValidFrom)} until ${instant(candidate.linkExpiresAt)} or the interview ends:`);
    this.log(invitation.link);
    if (accommodationsInput(this.flags)) for (const line of accommodationLines(candidate.accommodations)) this.log(`Accommodation: ${line}`);
    return invitation;
  }
}
