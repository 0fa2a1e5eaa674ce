import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { describeRules, INTERVIEW_FIELDS, type Interview } from '../../interviews.ts';

export default class Update extends ApiCommand<typeof Update> {
  static override summary = 'Change a scheduled interview: its title, time or rules';
  static override description = `Only what is given changes; the other rules stay as they are. Once the interview has started it cannot be changed (exit 5: its candidates consented to its rules).\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60 --scheduled-at 2026-12-02T09:30:00Z',
    {
      description: 'Fullscreen no longer required, looking away from 25°',
      command: '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60 --no-require-fullscreen --look-away-degrees 25',
    },
  ];
  static override args = {
    id: Args.string({ required: true, description: 'interview ID' }),
  };
  static override flags = {
    title: Flags.string({ description: 'what the interview is, 1–200 characters' }),
    'scheduled-at': Flags.string({ description: 'when it takes place, ISO-8601 such as 2026-12-01T14:00:00Z' }),
    strict: Flags.boolean({ allowNo: true, description: 'raise every violation one severity level (--no-strict: do not)' }),
    'require-fullscreen': Flags.boolean({ allowNo: true, description: 'candidates must stay in fullscreen (--no-require-fullscreen: need not)' }),
    'allow-copy-paste': Flags.boolean({ allowNo: true, description: 'do not flag copy and paste (--no-allow-copy-paste: flag it)' }),
    'audio-policy': Flags.option({ options: ['IGNORE', 'FLAG'] as const, description: 'FLAG raises AUDIO_DETECTED on voice activity' })(),
    'look-away-degrees': Flags.integer({ description: 'head yaw/pitch counted as looking away, 5–90' }),
    'retention-days': Flags.integer({ description: 'days recordings and snapshots are kept, 1–3650' }),
    'screen-share': Flags.option({ options: ['off', 'optional', 'required'] as const, description: "the candidate's screen" })(),
  };

  async run(): Promise<Interview> {
    const { flags } = this;
    const config = {
      strictMode: flags.strict,
      requireFullscreen: flags['require-fullscreen'],
      allowCopyPaste: flags['allow-copy-paste'],
      audioPolicy: flags['audio-policy'],
      lookAwayDegrees: flags['look-away-degrees'],
      retentionDays: flags['retention-days'],
      screenShare: flags['screen-share']?.toUpperCase(),
    };
    const { updateInterview: interview } = await this.graphql<{ updateInterview: Interview }>(
      `mutation($id: ID!, $input: UpdateInterviewInput!) { updateInterview(id: $id, input: $input) { ${INTERVIEW_FIELDS} } }`,
      { id: this.args.id, input: { title: flags.title, scheduledAt: flags['scheduled-at'], config } },
    );
    this.log(`Updated interview ${interview.id} "${interview.title}" (${interview.status}${interview.scheduledAt ? `, ${interview.scheduledAt}` : ''})`);
    this.log(`Rules: ${describeRules(interview.config)}`);
    return interview;
  }
}
