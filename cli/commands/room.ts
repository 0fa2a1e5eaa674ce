import { Args, Flags } from '@oclif/core';
import { ApiCommand, EXIT_CODES_HELP } from '../base-command.ts';
import { instant } from '../format.ts';
import { openInBrowser } from '../open-browser.ts';

interface RoomLink {
  url: string;
  expiresAt: string;
}

export default class Room extends ApiCommand<typeof Room> {
  static override summary = "Open an interview's room in the browser: the candidate's video, live alerts and a ping box";
  static override description = `Prints a short-lived link (PROCTOR_ROOM_LINK_TTL, default 5 minutes) that logs you into the room page; --open opens it in your browser.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> 6f1c1a9e-8f8e-4f5e-9d7a-1b2c3d4e5f60 --open',
    { description: 'Just the link, for a script', command: '<%= config.bin %> <%= command.id %> 6f1c1a9e-… --json | jq -r .url' },
  ];
  static override args = {
    interview: Args.string({ required: true, description: 'interview ID' }),
  };
  static override flags = {
    open: Flags.boolean({ description: 'open the link in the default browser', default: false }),
  };

  async run(): Promise<RoomLink & { opened: boolean }> {
    const { createRoomLink: link } = await this.graphql<{ createRoomLink: RoomLink }>('mutation($id: ID!) { createRoomLink(interviewId: $id) { url expiresAt } }', {
      id: this.args.interview,
    });
    this.log(`Room link (open it before ${instant(link.expiresAt)}; it logs you in, so do not share it):`);
    this.log(link.url);
    const opened = this.flags.open && (await openInBrowser(link.url));
    if (this.flags.open && !opened) this.warn('Could not open a browser here: open the link above yourself.');
    return { ...link, opened };
  }
}
