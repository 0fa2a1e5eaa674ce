import { Args, Flags } from '@oclif/core';
import type { Accommodations } from '../../../contract/accommodations.ts';
import { ACCOMMODATION_FLAGS, ACCOMMODATIONS_SELECTION, accommodationLines, accommodationsInput } from '../../accommodations.ts';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';

interface AccommodatedCandidate {
  id: string;
  name: string;
  email: string;
  accommodations: Accommodations;
}

export default class Accommodate extends ApiCommand<typeof Accommodate> {
  static override summary = "Set a candidate's accommodations (allowances)";
  static override description = `Replaces the whole set: what is not given is not accommodated (--clear removes them all). Covered events are still recorded as evidence, but raise no live alert and do not count in the scores; the candidate sees them on the consent page and the report names them. Allowed until the interview ends (after that, the review decides); audited.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 0b7c2f3e-… --ignore LOOKING_AWAY --note "Uses a screen reader"',
    '<%= config.bin %> <%= command.id %> 0b7c2f3e-… --look-away-degrees 45 --allow-audio --json',
    '<%= config.bin %> <%= command.id %> 0b7c2f3e-… --clear',
  ];
  static override args = { candidate: Args.string({ required: true, description: 'candidate ID (proctor candidates invite prints it)' }) };
  static override flags = {
    ...ACCOMMODATION_FLAGS,
    clear: Flags.boolean({ description: 'remove every accommodation (not with the flags that set them)' }),
  };

  async run(): Promise<AccommodatedCandidate> {
    const accommodations = accommodationsInput(this.flags);
    if (Boolean(accommodations) === this.flags.clear) {
      this.error('Say what to accommodate (--ignore, --look-away-degrees, --allow-audio, --note), or --clear alone', { exit: 2 });
    }
    const { setAccommodations: candidate } = await this.graphql<{ setAccommodations: AccommodatedCandidate }>(
      `mutation($id: ID!, $accommodations: AccommodationsInput!) { setAccommodations(candidateId: $id, accommodations: $accommodations) {
        id name email accommodations ${ACCOMMODATIONS_SELECTION} } }`,
      { id: this.args.candidate, accommodations: accommodations ?? {} },
    );
    this.log(`Accommodations of ${candidate.name} <${candidate.email}> (candidate ${candidate.id}):`);
    for (const line of accommodationLines(candidate.accommodations)) this.log(`  ${line}`);
    return candidate;
  }
}
