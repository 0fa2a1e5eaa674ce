import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { instant } from '../../format.ts';
import { openInBrowser } from '../../open-browser.ts';

interface ReviewLink {
  url: string;
  expiresAt: string;
  candidateId: string;
}

export default class Review extends ApiCommand<typeof Review> {
  static override summary = "Open an ended interview's review page: the recording, every flag on a timeline, verdicts and the decision";
  static override description = `Prints a short-lived link (PROCTOR_ROOM_LINK_TTL, default 5 minutes) that logs you into the review page of one candidate; --open opens it in your browser. Without --candidate, the interview's only candidate (an interview with several lists them).\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60 --open',
    { description: 'One of several candidates, the link only', command: '<%= config.bin %> <%= command.id %> 6f1c1a9e-… --candidate 2d4e… --json | jq -r .url' },
  ];
  static override args = { interview: Args.string({ required: true, description: 'interview ID' }) };
  static override flags = {
    candidate: Flags.string({ description: 'candidate ID (needed when the interview has several)' }),
    open: Flags.boolean({ description: 'open the link in the default browser', default: false }),
  };

  async run(): Promise<ReviewLink & { opened: boolean }> {
    const { createReviewLink: link } = await this.graphql<{ createReviewLink: ReviewLink }>(
      'mutation($id: ID!, $candidateId: ID) { createReviewLink(interviewId: $id, candidateId: $candidateId) { url expiresAt candidateId } }',
      { id: this.args.interview, candidateId: this.flags.candidate ?? null },
    );
    this.log(`Review link (open it before ${instant(link.expiresAt)}; it logs you in, so do not share it):`);
    this.log(link.url);
    const opened = this.flags.open && (await openInBrowser(link.url));
    if (this.flags.open && !opened) this.warn('Could not open a browser here: open the link above yourself.');
    return { ...link, opened };
  }
}
