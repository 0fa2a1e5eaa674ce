// Recordings need ffmpeg on the server.
import { withDiagnostics, type Check } from '../check.ts';

export const ffmpeg: Check = {
  id: 'ffmpeg',
  title: 'ffmpeg (recording)',
  run(context) {
    return withDiagnostics(context, ({ recording }) => {
      if (!recording.enabled) return { status: 'info', detail: 'recording is off (PROCTOR_RECORDING=false)' };
      if (recording.problem) {
        return {
          status: 'fail',
          detail: `${recording.problem}: candidates are not recorded`,
          remedy: 'install ffmpeg (apt install ffmpeg) or point PROCTOR_FFMPEG_PATH at it, then restart proctor up',
        };
      }
      return { status: 'ok', detail: recording.ffmpegVersion ?? recording.ffmpegPath };
    });
  },
};
