// A candidate's accommodations (contract/accommodations.ts): what they are, and how they are sent.
import type { Accommodations } from '../../contract/accommodations.ts';
import { ACCOMMODATION_LIMITS } from '../../contract/accommodations.ts';
import { builder } from '../builder.ts';
import { ViolationTypeEnum } from './enums.ts';

export const AccommodationsType = builder.objectRef<Accommodations>('Accommodations').implement({
  description: 'What does not count against one candidate: applied where the server decides severity, shown on the consent page and named in the report',
  fields: (t) => ({
    ignore: t.field({
      type: [ViolationTypeEnum],
      description: 'Still recorded as evidence, marked accommodated: no live alert, not counted in the scores',
      resolve: (accommodations) => accommodations.ignore,
    }),
    lookAwayDegrees: t.exposeInt('lookAwayDegrees', { nullable: true, description: "The candidate's look-away threshold, wider than the interview's; null: the interview's" }),
    allowAudio: t.exposeBoolean('allowAudio', { description: 'Voice activity is not monitored for this candidate' }),
    note: t.exposeString('note', { nullable: true, description: 'Why, for the reviewer (printed in the report)' }),
  }),
});

export const AccommodationsInput = builder.inputType('AccommodationsInput', {
  description: 'The whole set: what is left out is not accommodated (an empty input clears them)',
  fields: (t) => ({
    ignore: t.field({ type: [ViolationTypeEnum], description: `at most ${ACCOMMODATION_LIMITS.ignoreEntries} entries; repeats are dropped` }),
    lookAwayDegrees: t.int({
      description: `${ACCOMMODATION_LIMITS.lookAwayDegrees.min}–${ACCOMMODATION_LIMITS.lookAwayDegrees.max}, and above the interview's own lookAwayDegrees`,
    }),
    allowAudio: t.boolean(),
    note: t.string({ description: `at most ${ACCOMMODATION_LIMITS.noteLength} characters` }),
  }),
});
