// The remote transcription engines against local HTTP servers speaking each protocol (the real
// services cannot be reached from the test machines), the word grouping they share with
// pocketsphinx, and the conversation figures.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssemblyAiEngine } from '../server/speech/engines/assemblyai.ts';
import { wordsIntoSegments } from '../server/speech/engines/engine.ts';
import { OpenAiTranscriptionEngine } from '../server/speech/engines/openai.ts';
import { parseWords } from '../server/speech/engines/pocketsphinx.ts';
import { chooseEngine } from '../server/speech/speech.ts';
import { conversationFigures, questionsAndAnswers } from '../server/speech/conversation.ts';
import { WAV_HEADER_BYTES, wavBytes } from '../server/speech/audio.ts';
import { SPEECH_MARGIN_MS } from '../server/speech/engines/speech-chunks.ts';

type Answer = { status?: number; json: unknown };

async function serve(handler: (request: IncomingMessage, body: Buffer) => Answer | Promise<Answer>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      Promise.resolve()
        .then(() => handler(request, Buffer.concat(chunks)))
        .then(
          ({ status = 200, json }) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json)),
          (error: Error) => response.writeHead(500).end(error.message),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The [from, to) index ranges of a track's non-zero samples. */
function runs(samples: ArrayLike<number>): [number, number][] {
  const found: [number, number][] = [];
  for (let i = 0; i < samples.length; i++) {
    if (samples[i] === 0) continue;
    const from = i;
    while (i < samples.length && samples[i] !== 0) i++;
    found.push([from, i]);
  }
  return found;
}

describe('speech engines and figures', () => {
  let dir: string;
  let wav: string;
  const servers: Server[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proctor-engines-'));
    wav = join(dir, 'track.wav');
    await writeFile(wav, wavBytes(new Int16Array(16_000)));
  });
  after(async () => {
    for (const server of servers) server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('chooses a remote engine when configured, pocketsphinx when installed, and says clearly when transcription is off', () => {
    const base = {
      transcribe: true,
      pocketsphinxPath: 'pocketsphinx_continuous',
      transcribeUrl: undefined,
      transcribeKey: undefined,
      transcribeModel: 'm',
      transcribeMaxUploadBytes: 24 * 1024 * 1024,
      assemblyAiKey: undefined,
      assemblyAiUrl: 'https://api.assemblyai.com',
    };
    const missing = chooseEngine({ ...base, pocketsphinxPath: join(dir, 'no-such-binary') });
    assert.ok('off' in missing && /not found \(apt-get install pocketsphinx pocketsphinx-en-us/.test(missing.off), JSON.stringify(missing));
    const local = chooseEngine(base);
    assert.ok('engine' in local && local.engine.name === 'pocketsphinx' && local.engine.processor === undefined, 'pocketsphinx is installed (.ci/run installs it)');
    const off = chooseEngine({ ...base, transcribe: false });
    assert.ok('off' in off && /PROCTOR_TRANSCRIBE=false/.test(off.off));
    const remote = chooseEngine({ ...base, transcribeUrl: 'https://asr.example.com' });
    assert.ok('engine' in remote && remote.engine.name === 'openai' && remote.engine.processor === 'asr.example.com');
    const assembly = chooseEngine({ ...base, transcribeUrl: 'https://asr.example.com', assemblyAiKey: 'k' });
    assert.ok('engine' in assembly && assembly.engine.name === 'assemblyai');
  });

  it('OpenAI-compatible: posts the WAV as multipart with verbose_json and reads timed segments', async () => {
    let seen: { path?: string; auth?: string; body?: string } = {};
    let requests = 0;
    const { url, server } = await serve((request, body) => {
      requests++;
      seen = { path: request.url!, auth: request.headers.authorization!, body: body.toString('latin1') };
      return {
        json: {
          text: 'hello there',
          segments: [
            { start: 0.5, end: 0.75, text: ' Hello there? ', avg_logprob: -0.1 },
            { start: 2, end: 3, text: '' },
          ],
        },
      };
    });
    servers.push(server);
    const engine = new OpenAiTranscriptionEngine({ url: `${url}/v1`, apiKey: 'sk-test', model: 'whisper-1', timeoutMs: 10_000, maxUploadBytes: 1024 * 1024 });
    assert.deepEqual(await engine.transcribe(wav, []), [], 'a track without speech is not sent');
    assert.equal(requests, 0);
    const segments = await engine.transcribe(wav, [{ startMs: 0, endMs: 1000 }]);
    assert.equal(requests, 1);
    assert.equal(seen.path, '/v1/audio/transcriptions');
    assert.equal(seen.auth, 'Bearer sk-test');
    assert.match(seen.body!, /name="model"\r\n\r\nwhisper-1/);
    assert.match(seen.body!, /name="response_format"\r\n\r\nverbose_json/);
    assert.match(seen.body!, /filename="audio.wav"[\s\S]*RIFF/);
    assert.deepEqual(segments, [{ startMs: 500, endMs: 750, text: 'Hello there?', confidence: Math.exp(-0.1) }]);
    assert.equal(engine.processor, new URL(url).host);
  });

  it('OpenAI-compatible: an error answer fails the transcription with its status', async () => {
    const { url, server } = await serve(() => ({ status: 401, json: { error: { message: 'bad key' } } }));
    servers.push(server);
    const engine = new OpenAiTranscriptionEngine({ url, apiKey: 'x', model: 'm', timeoutMs: 10_000, maxUploadBytes: 1024 * 1024 });
    await assert.rejects(engine.transcribe(wav, [{ startMs: 0, endMs: 1000 }]), /transcription service 127\.0\.0\.1:\d+ \(\/v1\/audio\/transcriptions\) answered 401/);
  });

  it("OpenAI-compatible: a long track goes as several requests under the upload limit, holding only its speech, and every segment lands on the track's clock", async () => {
    // Each sample says where on the track it was taken (1 + its 10 ms step): the server sees which
    // parts of the track a request holds, and 0 where the engine put silence between two of them.
    const samples = new Int16Array(60 * 16_000).map((_, i) => 1 + Math.floor(i / 160));
    const long = join(dir, 'long.wav');
    await writeFile(long, wavBytes(samples));
    const voice = [
      { startMs: 1_000, endMs: 3_000 },
      { startMs: 5_000, endMs: 8_000 },
      { startMs: 12_000, endMs: 13_000 },
      { startMs: 20_000, endMs: 45_000 },
      { startMs: 50_000, endMs: 52_000 },
    ];
    const limit = WAV_HEADER_BYTES + 10 * 16_000 * 2;
    const uploads: Int16Array[] = [];
    const { url, server } = await serve(async (request, body) => {
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': request.headers['content-type']! } }).formData();
      const file = Buffer.from(await (form.get('file') as File).arrayBuffer());
      const audio = new Int16Array(file.buffer, file.byteOffset + WAV_HEADER_BYTES, (file.length - WAV_HEADER_BYTES) / 2);
      uploads.push(audio);
      // A segment per stretch of the track in the request, on the request's clock, its text the track's
      // times it heard; and words in the first silence, as Whisper hears them where there are none.
      const segments = runs(audio).map(([from, to]) => ({ start: from / 16_000, end: to / 16_000, text: `${(audio[from]! - 1) * 10}-${audio[to - 1]! * 10}` }));
      const silence = runs(audio.map((v) => (v === 0 ? 1 : 0)))[0];
      if (silence) segments.push({ start: silence[0] / 16_000, end: silence[1] / 16_000, text: 'Thank you.' });
      return { json: { segments } };
    });
    servers.push(server);
    const engine = new OpenAiTranscriptionEngine({ url, apiKey: undefined, model: 'm', timeoutMs: 10_000, maxUploadBytes: limit });
    const segments = await engine.transcribe(long, voice);

    assert.ok(uploads.length > 1, `${uploads.length} request`);
    for (const audio of uploads) {
      assert.ok(WAV_HEADER_BYTES + audio.byteLength <= limit, `a ${WAV_HEADER_BYTES + audio.byteLength}-byte upload`);
      for (const [from, to] of runs(audio.map((v) => (v === 0 ? 1 : 0)))) assert.ok(to - from <= 16_000, `a silenced pause of ${(to - from) / 16} ms (at most 1 s)`);
    }
    const sentMs = uploads.map((audio) => new Set([...audio].filter((v) => v !== 0).map((v) => (v - 1) * 10)));
    const near = (ms: number) => voice.some((v) => ms >= v.startMs - SPEECH_MARGIN_MS - 10 && ms <= v.endMs + SPEECH_MARGIN_MS);
    for (const sent of sentMs) for (const ms of sent) assert.ok(near(ms), `the track at ${ms} ms holds no speech but was sent`);
    for (const v of voice) {
      const steps = Array.from({ length: (v.endMs - v.startMs) / 10 }, (_, i) => v.startMs + i * 10);
      const holders = sentMs.filter((sent) => steps.some((ms) => sent.has(ms)));
      assert.ok(
        steps.every((ms) => holders.some((sent) => sent.has(ms))),
        `the speech at ${v.startMs}-${v.endMs} ms was sent whole`,
      );
      if (v.endMs - v.startMs + 2 * SPEECH_MARGIN_MS <= 10_000) assert.equal(holders.length, 1, `the speech at ${v.startMs}-${v.endMs} ms fits one request`);
    }

    assert.ok(segments.length > uploads.length);
    assert.ok(!segments.some((s) => s.text === 'Thank you.'), 'words heard in a silenced pause are dropped');
    for (const s of segments) {
      const [heardStart, heardEnd] = s.text.split('-').map(Number) as [number, number];
      assert.ok(Math.abs(s.startMs - heardStart) < 10 && Math.abs(s.endMs - heardEnd) < 10, `${s.startMs}-${s.endMs} ms for the track's ${s.text} ms`);
    }
    assert.equal(segments[0]!.startMs, voice[0]!.startMs - SPEECH_MARGIN_MS);
    assert.equal(segments.at(-1)!.endMs, voice.at(-1)!.endMs + SPEECH_MARGIN_MS);
  });

  it('a remote engine says which service failed and how: unreachable, or no answer in time', async () => {
    const { url, server } = await serve(() => new Promise<Answer>(() => {}));
    servers.push(server);
    const voice = [{ startMs: 0, endMs: 1000 }];
    const silent = new OpenAiTranscriptionEngine({ url, apiKey: undefined, model: 'm', timeoutMs: 200, maxUploadBytes: 1024 * 1024 });
    await assert.rejects(silent.transcribe(wav, voice), /^Error: transcription service 127\.0\.0\.1:\d+ \(\/v1\/audio\/transcriptions\) did not answer in time$/);
    const closed = await serve(() => ({ json: {} }));
    await new Promise((resolve) => closed.server.close(resolve));
    const unreachable = new AssemblyAiEngine({ url: closed.url, apiKey: 'k', timeoutMs: 10_000, pollEveryMs: 1 });
    await assert.rejects(unreachable.transcribe(wav, voice), /^Error: AssemblyAI \(\/v2\/upload\) could not be reached: connect ECONNREFUSED/);
  });

  it('AssemblyAI: uploads, requests the transcript, polls until completed and groups its words into the voice segments', async () => {
    const calls: string[] = [];
    let polls = 0;
    const { url, server } = await serve((request, body) => {
      calls.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      if (request.url === '/v2/upload') {
        assert.equal(body.toString('ascii', 0, 4), 'RIFF');
        return { json: { upload_url: 'https://cdn.example/abc' } };
      }
      if (request.url === '/v2/transcript') {
        assert.deepEqual(JSON.parse(body.toString()), { audio_url: 'https://cdn.example/abc' });
        return { json: { id: 't1', status: 'queued' } };
      }
      polls++;
      return polls < 2
        ? { json: { id: 't1', status: 'processing' } }
        : {
            json: {
              id: 't1',
              status: 'completed',
              words: [
                { text: 'Hello', start: 100, end: 400, confidence: 0.9 },
                { text: 'there', start: 450, end: 800, confidence: 0.7 },
                { text: 'Bye', start: 5000, end: 5300, confidence: 0.5 },
              ],
            },
          };
    });
    servers.push(server);
    const engine = new AssemblyAiEngine({ url, apiKey: 'aai-key', timeoutMs: 10_000, pollEveryMs: 1 });
    const segments = await engine.transcribe(wav, [
      { startMs: 0, endMs: 900 },
      { startMs: 4900, endMs: 5400 },
    ]);
    assert.deepEqual(calls, ['POST /v2/upload aai-key', 'POST /v2/transcript aai-key', 'GET /v2/transcript/t1 aai-key', 'GET /v2/transcript/t1 aai-key']);
    assert.equal(segments.length, 2);
    assert.equal(segments[0]!.text, 'Hello there');
    assert.ok(Math.abs(segments[0]!.confidence - 0.8) < 1e-9);
    assert.deepEqual(segments[1], { startMs: 4900, endMs: 5400, text: 'Bye', confidence: 0.5 });
  });

  it("parses pocketsphinx 0.8's -time output, leaving out silence, noise and sentence marks", () => {
    const words = parseWords(
      'you do not\n<s> 0.000 0.050 0.999000\nyou 0.060 0.310 0.644197\n<sil> 0.500 0.770 0.968116\nthe(2) 1.410 1.470 0.230600\n[NOISE] 1.5 1.6 0.9\n</s> 3.360 3.630 1.000000\n',
    );
    assert.deepEqual(words, [
      { word: 'you', startMs: 60, endMs: 310, confidence: 0.644197 },
      { word: 'the', startMs: 1410, endMs: 1470, confidence: 0.2306 },
    ]);
    assert.deepEqual(wordsIntoSegments(words, [{ startMs: 2000, endMs: 3000 }]), [], 'words far from every voice segment are dropped');
  });

  it('computes talk ratio, response latency percentiles and overlaps, and picks confident questions and answers', () => {
    const figures = conversationFigures([
      { speaker: 'HOST', startMs: 0, endMs: 4_000 },
      { speaker: 'CANDIDATE', startMs: 5_000, endMs: 15_000 },
      { speaker: 'HOST', startMs: 14_000, endMs: 16_000 },
      { speaker: 'CANDIDATE', startMs: 18_000, endMs: 30_000 },
    ]);
    assert.equal(figures.hostSpeakingMs, 6_000);
    assert.equal(figures.candidateSpeakingMs, 22_000);
    assert.equal(figures.candidateTalkShare, 22 / 28);
    assert.equal(figures.responses, 2);
    assert.equal(figures.responseLatencyP50Ms, 1_000);
    assert.equal(figures.responseLatencyP90Ms, 2_000);
    assert.equal(figures.overlaps, 1);
    assert.equal(figures.overlapMs, 1_000);
    assert.equal(conversationFigures([]).candidateTalkShare, null);

    const turn = (speaker: 'HOST' | 'CANDIDATE', startMs: number, text: string, confidence: number) => ({ speaker, startMs, endMs: startMs + 1000, text, confidence });
    const pairs = questionsAndAnswers(
      [
        turn('HOST', 0, 'Why?', 0.9),
        turn('CANDIDATE', 2000, 'Because.', 0.9),
        turn('HOST', 4000, 'And then?', 0.9),
        turn('CANDIDATE', 6000, 'Unsure.', 0.3),
        turn('HOST', 8000, 'Okay.', 0.9),
        turn('CANDIDATE', 9000, 'Yes.', 0.9),
      ],
      0.6,
    );
    assert.deepEqual(
      pairs.map((p) => [p.question.text, p.answer.text]),
      [['Why?', 'Because.']],
    );
  });
});
