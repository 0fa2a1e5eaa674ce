import { Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../../base-command.ts';
import { describeRules, INTERVIEW_FIELDS, type Interview } from '../../interviews.ts';

export default class Create extends ApiCommand<typeof Create> {
  static override summary = 'Create an interview';
  static override description = `Rules not given take the server's defaults (shown after creation).\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --title "Senior TypeScript engineer" --scheduled-at 2026-12-01T14:00:00Z',
    {
      description: 'Strict monitoring, fullscreen, audio ignored',
      command: '<%= config.bin %> <%= command.id %> --title "Final round" --strict --require-fullscreen --audio-policy IGNORE --look-away-degrees 25',
    },
    {
      description: "The candidate's entire screen is shared and recorded",
      command: '<%= config.bin %> <%= command.id %> --title "Live coding" --screen-share required',
    },
  ];
  static override flags = {
    title: Flags.string({ required: true, description: 'what the interview is, 1–200 characters' }),
    'scheduled-at': Flags.string({ description: 'when it takes place, ISO-8601 such as 2026-12-01T14:00:00Z (join links open 48 h before)' }),
    strict: Flags.boolean({ description: 'raise every violation one severity level' }),
    'require-fullscreen': Flags.boolean({ description: 'candidates must stay in fullscreen' }),
    'allow-copy-paste': Flags.boolean({ description: 'do not flag copy and paste' }),
    'audio-policy': Flags.option({ options: ['IGNORE', 'FLAG'] as const, description: 'FLAG raises AUDIO_DETECTED on voice activity [default: FLAG]' })(),
    'look-away-degrees': Flags.integer({ description: 'head yaw/pitch counted as looking away, 5–90 [default: 35]' }),
    'retention-days': Flags.integer({ description: 'days recordings and snapshots are kept, 1–3650 [default: 90]' }),
    'screen-share': Flags.option({
      options: ['off', 'optional', 'required'] as const,
      description: "the candidate's screen: required asks for the entire screen before joining (stopping it is flagged) [default: off]",
    })(),
  };

  async run(): Promise<Interview> {
    const { flags } = this;
    // Rules left out are not sent, so the server applies its defaults.
    const config = {
      strictMode: flags.strict || undefined,
      requireFullscreen: flags['require-fullscreen'] || undefined,
      allowCopyPaste: flags['allow-copy-paste'] || undefined,
      audioPolicy: flags['audio-policy'],
      lookAwayDegrees: flags['look-away-degrees'],
      retentionDays: flags['retention-days'],
      screenShare: flags['screen-share']?.toUpperCase(),
    };
    const { createInterview } = await this.graphql<{ createInterview: { interview: Interview } }>(
      `mutation($input: CreateInterviewInput!) { createInterview(input: $input) { interview { ${INTERVIEW_FIELDS} } } }`,
      { input: { title: flags.title, scheduledAt: flags['scheduled-at'], config } },
    );
    const { interview } = createInterview;
    this.log(`Created interview ${interview.id} "${interview.title}" (${interview.status})`);
    this.log(`Rules: ${describeRules(interview.config)}`);
    this.log(`Invite a candidate: ${this.config.bin} candidates invite --interview ${interview.id} --name "…" --email …`);
    return interview;
  }
}
