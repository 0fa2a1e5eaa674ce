import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../base-command.ts';
import { table } from '../format.ts';

interface Transcript {
  status: 'NONE' | 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'OFF';
  engine: string | null;
  approximate: boolean;
  note: string | null;
  progress: number;
  segments: { speaker: 'HOST' | 'CANDIDATE'; startMs: number; endMs: number; text: string; confidence: number }[];
}

export default class TranscriptCommand extends ApiCommand<typeof TranscriptCommand> {
  static override summary = "Print an ended interview's transcript (approximate, machine-generated)";
  static override description = `After the interview ends, the report job finds who spoke when and the report comes out; then a job of its own transcribes each participant's speech (offline with pocketsphinx unless a remote engine is configured) and the report gets a new version with the questions and answers. Until then this shows the transcription's status and progress. Machine transcripts are approximate: for search and navigation, not quotation. ${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60',
    { description: 'Only the turns that mention a word', command: '<%= config.bin %> <%= command.id %> 6f1c1a9e-… --search ledger' },
    { description: 'Segments for a script', command: "<%= config.bin %> <%= command.id %> 6f1c1a9e-… --json | jq '.segments[].text'" },
  ];
  static override args = { interview: Args.string({ required: true, description: 'interview ID' }) };
  static override flags = {
    candidate: Flags.string({ description: 'candidate ID (when the interview has several)' }),
    search: Flags.string({ char: 's', description: 'only the segments containing this text (any case)' }),
  };

  async run(): Promise<Transcript> {
    const { transcript } = await this.graphql<{ transcript: Transcript }>(
      `query($id: ID!, $candidate: ID, $query: String) { transcript(interviewId: $id, candidateId: $candidate, query: $query) { status engine approximate note progress segments { speaker startMs endMs text confidence } } }`,
      { id: this.args.interview, candidate: this.flags.candidate ?? null, query: this.flags.search ?? null },
    );
    if (!this.jsonEnabled()) this.#print(transcript);
    return transcript;
  }

  #print(transcript: Transcript): void {
    if (transcript.status === 'NONE') return this.log('Not transcribed yet: the report job analyses the audio after the interview ends.');
    if (transcript.status === 'PENDING' || transcript.status === 'RUNNING') {
      const progress = transcript.status === 'RUNNING' ? `running, ${Math.round(transcript.progress * 100)} % of the tracks done` : 'waiting for its job';
      return this.log(`Transcription in progress (${progress}, by ${transcript.engine}): the report gets its questions and answers in a new version when it is done.`);
    }
    if (transcript.status === 'FAILED') return this.log(`Not transcribed: ${transcript.note}`);
    if (transcript.status === 'OFF') return this.log('Transcription is off on this server.');
    this.log(`Transcript by ${transcript.engine}: approximate, machine-generated (not a quotation).`);
    if (transcript.segments.length === 0) return this.log(transcript.note ?? 'No speech was transcribed.');
    this.log(table([['AT', 'SPEAKER', 'CONF', 'TEXT'], ...transcript.segments.map((s) => [clock(s.startMs), s.speaker, s.confidence.toFixed(2), s.text])]));
  }
}

function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}
