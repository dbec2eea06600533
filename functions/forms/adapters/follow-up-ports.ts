/** The follow-up's and the confirm routes' ports, wired once at module load from the environment. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { DynamoSendingStore } from '../../sending/adapters/dynamo-sending-store.js';
import { linkEnv, sendingConfigFromEnv } from '../../sending/adapters/env.js';
import { loadLinkSecret } from '../../sending/adapters/link-secret.js';
import { S3TemplateStore } from '../../sending/adapters/s3-templates.js';
import { SesMailer } from '../../sending/adapters/ses-mailer.js';
import { send, type SendPorts } from '../../sending/domain/send.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { eventBridgeClient } from '../../shared/aws/eventbridge.js';
import { s3Client } from '../../shared/aws/s3.js';
import { sesClient } from '../../shared/aws/sesv2.js';
import { type FormHandoff, formsSource } from '../../shared/domain-events.js';
import { parseEnv, required } from '../../shared/env.js';
import type { ConfirmPorts } from '../confirm-routes.js';
import type { FollowUpPorts } from '../domain/follow-up.js';
import { DynamoConsentStore } from './consent-store.js';
import { S3FormsContent } from './s3-content.js';
import { DynamoSubmissionState } from './submission-state.js';

/** Puts one FormHandoff on the bus; throws when EventBridge refuses it (the invocation is retried). */
export function handoffPublisher(client: EventBridgeClient, busName: string) {
  return async (detail: FormHandoff): Promise<void> => {
    const res = await client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: busName, Source: formsSource, DetailType: 'lead.handoff', Detail: JSON.stringify(detail), Time: new Date(detail.occurredAt) }],
      }),
    );
    if (res.FailedEntryCount) throw new Error(`EventBridge refused the lead.handoff: ${res.Entries?.[0]?.ErrorCode ?? 'unknown'} ${res.Entries?.[0]?.ErrorMessage ?? ''}`);
  };
}

/**
 * The follow-up function's ports: the send use case in-process, on the same adapters and settings as the
 * send function (infra grants them with Sending.grantSending, as the broadcast page task has them).
 */
export async function followUpPortsFromEnv(log: FollowUpPorts['log']): Promise<FollowUpPorts> {
  const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required(), EVENT_BUS_NAME: required() }));
  const doc = documentClient();
  const config = sendingConfigFromEnv();
  const linkSecret = await loadLinkSecret(linkEnv());
  const sendPorts: SendPorts = {
    config,
    store: new DynamoSendingStore(doc, env.TABLE_NAME),
    templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
    mailer: new SesMailer(sesClient()),
    linkSecret,
  };
  const submissions = new DynamoSubmissionState(doc, env.TABLE_NAME);
  return {
    forms: new S3FormsContent(s3Client(), env.CONTENT_BUCKET),
    submissions,
    send: (input) => send(input, sendPorts),
    publishHandoff: handoffPublisher(eventBridgeClient(), env.EVENT_BUS_NAME),
    settings: { publicApiUrl: config.publicApiUrl, linkSecret },
    now: () => new Date(),
    log,
  };
}

/** The confirm routes' ports (on the public `forms` function): submissions, consent, definitions, the link secret. */
export async function confirmPortsFromEnv(): Promise<ConfirmPorts> {
  const env = { ...linkEnv(), ...parseEnv(z.object({ CONTENT_BUCKET: required() })) };
  const doc = documentClient();
  return {
    secret: await loadLinkSecret(env),
    submissions: new DynamoSubmissionState(doc, env.TABLE_NAME),
    consents: new DynamoConsentStore(doc, env.TABLE_NAME),
    forms: new S3FormsContent(s3Client(), env.CONTENT_BUCKET),
    now: () => new Date(),
  };
}
