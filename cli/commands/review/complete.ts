import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { REVIEW_DECISIONS, REVIEW_NOTE_MAX_LENGTH, type ReviewDecision, type ReviewStatus } from '../../../contract/review.ts';

interface ReviewedCandidate {
  id: string;
  name: string;
  reviewStatus: ReviewStatus;
  review: { decision: ReviewDecision; note: string | null; reviewer: { name: string }; at: string };
}

export default class CompleteReview extends ApiCommand<typeof CompleteReview> {
  static override summary = "Complete a candidate's review of an ended interview with a decision";
  static override description = `Once only. The report is then made again as a new version with the reviewed scores (dismissed flags left out): \`proctor report <interview> --wait\` shows it. Sends the review.completed webhook.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> 6f1c1a9e-… --candidate 2d4e… --decision cleared --note "Tab switch was the allowed docs"'];
  static override args = { interview: Args.string({ required: true, description: 'interview ID' }) };
  static override flags = {
    candidate: Flags.string({ required: true, description: 'candidate ID' }),
    decision: Flags.option({ options: REVIEW_DECISIONS.map((d) => d.toLowerCase()), required: true, description: 'the conclusion' })(),
    note: Flags.string({ description: `why (up to ${REVIEW_NOTE_MAX_LENGTH} characters)` }),
  };

  async run(): Promise<ReviewedCandidate> {
    const { completeReview: candidate } = await this.graphql<{ completeReview: ReviewedCandidate }>(
      `mutation($interviewId: ID!, $candidateId: ID!, $decision: ReviewDecision!, $note: String) {
        completeReview(interviewId: $interviewId, candidateId: $candidateId, decision: $decision, note: $note) { id name reviewStatus review { decision note reviewer { name } at } } }`,
      { interviewId: this.args.interview, candidateId: this.flags.candidate, decision: this.flags.decision.toUpperCase(), note: this.flags.note ?? null },
    );
    this.log(`Review of ${candidate.name} ${candidate.reviewStatus}: ${candidate.review.decision} by ${candidate.review.reviewer.name}`);
    if (candidate.review.note) this.log(`Note: ${candidate.review.note}`);
    this.log(`A new report version is being made: proctor report ${this.args.interview} --candidate ${candidate.id} --wait`);
    return candidate;
  }
}
