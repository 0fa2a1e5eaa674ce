// Every `proctor doctor` check, in the order they print. A new check is one file here and one line
// in this list.
import type { Check } from '../check.ts';
import { certificate } from './certificate.ts';
import { clock } from './clock.ts';
import { database } from './database.ts';
import { dataDir } from './data-dir.ts';
import { faceModels } from './face-models.ts';
import { ffmpeg } from './ffmpeg.ts';
import { https } from './https.ts';
import { jwtSecret } from './jwt-secret.ts';
import { publicUrl } from './public-url.ts';
import { rtcPorts } from './rtc-ports.ts';
import { transcription } from './transcription.ts';
import { turn } from './turn.ts';

export const CHECKS: readonly Check[] = [publicUrl, https, certificate, rtcPorts, turn, ffmpeg, transcription, faceModels, dataDir, database, jwtSecret, clock];
