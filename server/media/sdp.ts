// The SDP that tells ffmpeg what plain RTP arrives where: one m-line per consumer, RTCP on the
// next port (ffmpeg's convention), payload types and codec parameters as mediasoup sends them.
import type { MediaKind, RtpParameters } from '../../sfu/types.ts';

export interface SdpStream {
  port: number;
  rtpParameters: RtpParameters;
  kind: MediaKind;
}

export function recordingSdp(ip: string, streams: SdpStream[]): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=Proctor recording', `c=IN IP4 ${ip}`, 't=0 0'];
  for (const { port, rtpParameters, kind } of streams) {
    const codec = rtpParameters.codecs[0]!;
    const [, name] = codec.mimeType.split('/');
    lines.push(`m=${kind} ${port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''}`);
    const fmtp = Object.entries(codec.parameters ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    if (fmtp.length) lines.push(`a=fmtp:${codec.payloadType} ${fmtp.join(';')}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** WebM holds VP8/VP9 + opus; anything else (H264) goes into Matroska. */
export function containerFor(streams: SdpStream[]): 'webm' | 'mkv' {
  const webm = streams.every(({ rtpParameters }) => /^(video\/VP[89]|audio\/opus)$/i.test(rtpParameters.codecs[0]!.mimeType));
  return webm ? 'webm' : 'mkv';
}
