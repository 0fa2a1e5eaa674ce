// What `candidates accommodate` and `candidates invite` share: the accommodation flags, the input
// they make, and how a candidate's accommodations read in a terminal.
import { Flags } from '@oclif/core';
import { ACCOMMODATION_LIMITS, ACCOMMODATIONS_SELECTION, describeAccommodations, type Accommodations } from '../contract/accommodations.ts';
import { VIOLATION_TYPES } from '../contract/violations.ts';

export { ACCOMMODATIONS_SELECTION };

export const ACCOMMODATION_FLAGS = {
  ignore: Flags.string({
    multiple: true,
    options: VIOLATION_TYPES,
    helpGroup: 'ACCOMMODATIONS',
    description: 'a violation type that does not count against the candidate (recorded, no alert, not scored); repeat for several',
  }),
  'look-away-degrees': Flags.integer({
    min: ACCOMMODATION_LIMITS.lookAwayDegrees.min,
    max: ACCOMMODATION_LIMITS.lookAwayDegrees.max,
    helpGroup: 'ACCOMMODATIONS',
    description: "the candidate's look-away threshold, above the interview's",
  }),
  'allow-audio': Flags.boolean({ helpGroup: 'ACCOMMODATIONS', description: 'do not monitor voice activity for the candidate' }),
  note: Flags.string({ helpGroup: 'ACCOMMODATIONS', description: `why, for the reviewer (up to ${ACCOMMODATION_LIMITS.noteLength} characters)` }),
};

interface AccommodationFlags {
  ignore?: string[] | undefined;
  'look-away-degrees'?: number | undefined;
  'allow-audio'?: boolean | undefined;
  note?: string | undefined;
}

/** The AccommodationsInput the flags say; undefined when none was given. */
export function accommodationsInput(flags: AccommodationFlags): Record<string, unknown> | undefined {
  const given = flags.ignore !== undefined || flags['look-away-degrees'] !== undefined || flags['allow-audio'] || flags.note !== undefined;
  if (!given) return undefined;
  return { ignore: flags.ignore ?? [], lookAwayDegrees: flags['look-away-degrees'] ?? null, allowAudio: Boolean(flags['allow-audio']), note: flags.note ?? null };
}

/** One line each, as the consent page and the report word them, and the note. */
export function accommodationLines(accommodations: Accommodations): string[] {
  const lines = describeAccommodations(accommodations);
  if (accommodations.note) lines.push(`Note: ${accommodations.note}`);
  return lines.length ? lines : ['No accommodations'];
}
