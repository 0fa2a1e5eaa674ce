import { describeAccommodations, type Accommodations } from '../../../contract/accommodations.ts';
import type { InterviewRules } from '../../../contract/interview.ts';
import type { PageConfig } from '../../../contract/page-config.ts';
import { h, show } from '../dom.ts';
import { monitoredItems, recordedItems } from './monitored.ts';

export interface ConsentInput {
  candidateName: string;
  interviewTitle: string;
  /** The rules as they apply to this candidate (already widened by the accommodations). */
  rules: InterviewRules;
  accommodations: Accommodations;
  faceChecks: boolean;
  transcription: PageConfig['transcription'];
}

/** Resolves with the candidate's answer (true: agreed). */
export function askConsent(input: ConsentInput): Promise<boolean> {
  return new Promise((resolve) => {
    const list = (items: string[]) => h('ul', {}, ...items.map((item) => h('li', {}, item)));
    const accommodations = describeAccommodations(input.accommodations);
    show(
      'consent',
      h(
        'section',
        { class: 'card consent' },
        h('h1', {}, input.interviewTitle),
        h('p', {}, `Hello ${input.candidateName}. This interview is proctored. Before you join, here is exactly what happens.`),
        h('h2', {}, 'What is monitored'),
        list(monitoredItems(input.rules, input.faceChecks)),
        ...(accommodations.length ? [h('h2', {}, 'Your accommodations'), h('div', { id: 'accommodations' }, list(accommodations))] : []),
        h('h2', {}, 'What is recorded'),
        list(recordedItems(input.rules, input.transcription)),
        h('p', { class: 'hint' }, 'Your answer is recorded either way. You can leave now without joining.'),
        h(
          'div',
          { class: 'actions' },
          h('button', { id: 'leave', class: 'secondary', onclick: () => resolve(false) }, 'Leave'),
          h('button', { id: 'agree', onclick: () => resolve(true) }, 'I agree, continue'),
        ),
      ),
    );
  });
}
