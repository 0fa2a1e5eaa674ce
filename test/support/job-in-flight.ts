// A background job that runs for as long as a test likes: a webhook delivery to a receiver that
// never answers. For stopping `proctor up` and `proctor worker` with work in flight.
import { GraphQLClient, signUp } from './graphql.ts';
import { startHangingServer, type HangingServer } from './hanging-server.ts';
import { runInterview } from './interview-flow.ts';

/** What the process that runs the job needs: loopback receivers allowed, and no early give-up. */
export const HANGING_WEBHOOK_ENV = { PROCTOR_WEBHOOK_ALLOW_PRIVATE: 'true', PROCTOR_WEBHOOK_TIMEOUT: '10m' };

/** Makes the server at `url` enqueue a webhook delivery, and resolves once the delivery is hanging. */
export async function startHangingWebhookJob(url: string): Promise<HangingServer> {
  const receiver = await startHangingServer();
  const { client } = await signUp(new GraphQLClient(url));
  await client.ok('mutation($url: String!) { createWebhook(url: $url, events: [INTERVIEW_COMPLETED]) { webhook { id } } }', { url: `${receiver.url}/hooks` });
  await runInterview(url, client, { title: 'Job in flight' });
  await receiver.hanging;
  return receiver;
}
