import { EXIT_CODES_HELP } from '../../base-command.ts';
import { InterviewMoveCommand } from '../../interviews.ts';

export default class End extends InterviewMoveCommand {
  static override summary = "End a live interview (LIVE → COMPLETED); every candidate's join link stops working";
  static override description = EXIT_CODES_HELP;
  static override examples = ['<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60'];
  protected readonly move = 'endInterview';
}
