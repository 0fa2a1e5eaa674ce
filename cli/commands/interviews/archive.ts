import { EXIT_CODES_HELP } from '../../base-command.ts';
import { InterviewMoveCommand } from '../../interviews.ts';

export default class Archive extends InterviewMoveCommand {
  static override summary = 'Archive a completed interview (COMPLETED → ARCHIVED)';
  static override description = `Only a COMPLETED interview can be archived: end it first.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60'];
  protected readonly move = 'archiveInterview';
}
