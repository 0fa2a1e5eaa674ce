// What the interview commands share: the fields they ask for, how an interview reads in a
// terminal, and the one shape of every lifecycle move (start, end, archive).
import { Args } from '@oclif/core';
import { INTERVIEW_RULES_SELECTION, type InterviewRules, type InterviewStatus } from '../contract/interview.ts';
import { ApiCommand } from './base-command.ts';

export interface Interview {
  id: string;
  title: string;
  status: InterviewStatus;
  scheduledAt: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  archivedAt: string | null;
  config: InterviewRules;
}

export const INTERVIEW_FIELDS = 'id title status scheduledAt createdAt startedAt endedAt archivedAt ' + `config ${INTERVIEW_RULES_SELECTION}`;

/** The monitoring rules on one line. */
export function describeRules(config: InterviewRules): string {
  return [
    `strict mode ${config.strictMode ? 'on' : 'off'}`,
    `fullscreen ${config.requireFullscreen ? 'required' : 'optional'}`,
    `copy/paste ${config.allowCopyPaste ? 'allowed' : 'flagged'}`,
    `audio ${config.audioPolicy === 'FLAG' ? 'flagged' : 'ignored'}`,
    `looking away beyond ${config.lookAwayDegrees}°`,
    `screen share ${(config.screenShare ?? 'OFF').toLowerCase()}`,
    `recordings kept ${config.retentionDays} days`,
  ].join(', ');
}

type Move = 'startInterview' | 'endInterview' | 'archiveInterview';

/** A lifecycle move on one interview; subclasses name the mutation. */
export abstract class InterviewMoveCommand extends ApiCommand<typeof InterviewMoveCommand> {
  static override args = {
    id: Args.string({ required: true, description: 'interview ID' }),
  };

  protected abstract readonly move: Move;

  async run(): Promise<Interview> {
    const data = await this.graphql<Record<Move, Interview>>(`mutation($id: ID!) { ${this.move}(id: $id) { ${INTERVIEW_FIELDS} } }`, {
      id: this.args.id,
    });
    const interview = data[this.move];
    this.log(`Interview ${interview.id} "${interview.title}" is now ${interview.status}`);
    return interview;
  }
}
