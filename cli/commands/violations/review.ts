import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { REVIEW_NOTE_MAX_LENGTH, REVIEW_VERDICTS, type ReviewVerdict } from '../../../contract/review.ts';

interface ReviewedViolation {
  id: string;
  type: string;
  severity: string;
  occurredAt: string;
  review: { verdict: ReviewVerdict; note: string | null; reviewer: { name: string }; at: string };
}

export default class ReviewViolation extends ApiCommand<typeof ReviewViolation> {
  static override summary = 'Confirm or dismiss one flag of an ended interview';
  static override description = `A dismissed flag no longer counts in the reviewed scores once the review is completed (proctor review complete). Run it again to change a verdict until then; every verdict is audited.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 0b7c2f3e-… --verdict dismissed --note "Allowed docs tab"',
    { description: 'Confirm, for a script', command: '<%= config.bin %> <%= command.id %> 0b7c2f3e-… --verdict confirmed --json | jq .review' },
  ];
  static override args = { violation: Args.string({ required: true, description: 'violation ID (proctor watch and the report list them)' }) };
  static override flags = {
    verdict: Flags.option({ options: REVIEW_VERDICTS.map((v) => v.toLowerCase()), required: true, description: 'what the flag was' })(),
    note: Flags.string({ description: `why (up to ${REVIEW_NOTE_MAX_LENGTH} characters)` }),
  };

  async run(): Promise<ReviewedViolation> {
    const { reviewViolation: violation } = await this.graphql<{ reviewViolation: ReviewedViolation }>(
      `mutation($id: ID!, $verdict: ReviewVerdict!, $note: String) { reviewViolation(id: $id, verdict: $verdict, note: $note) {
        id type severity occurredAt review { verdict note reviewer { name } at } } }`,
      { id: this.args.violation, verdict: this.flags.verdict.toUpperCase(), note: this.flags.note ?? null },
    );
    this.log(`${violation.review.verdict} ${violation.type} (${violation.severity}, ${violation.occurredAt}) by ${violation.review.reviewer.name}`);
    if (violation.review.note) this.log(`Note: ${violation.review.note}`);
    return violation;
  }
}
