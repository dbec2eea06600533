/**
 * Wait-for-event task tokens in the main table. A waiting execution leaves its token at
 * pk `p#<profileId>` / sk `wait#<event>#<executionName>` and adds the event name to the profile's
 * `waitingFor` string set; the stream processor calls resumeWaits only for names in that set.
 */
import {
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { profilePk, profileSk } from '../../profiles/domain/profile.js';
import { matchesWhere, type Where } from '../domain/conditions.js';
import type { WaitForAction } from '../domain/step-actions.js';

export interface TaskTokenDeps {
  doc: DynamoDBDocumentClient;
  sfn: SFNClient;
  tableName: string;
}

/** Token items outlive their wait by this long, then readers treat them as gone (no TTL locally). */
export const tokenGraceSeconds = 86_400;
/** Waits of one person for one event resumed in one call (each is a SendTaskSuccess). */
export const maxWaitsPerResume = 100;

/** Event names may hold any character; encoding keeps `#` in a name from reaching another name's keys. */
export function waitPrefix(eventName: string): string {
  return `wait#${encodeURIComponent(eventName)}#`;
}

export function waitSk(eventName: string, executionName: string): string {
  return `${waitPrefix(eventName)}${executionName}`;
}

interface TokenItem {
  pk: string;
  sk: string;
  token: string;
  where?: Where;
  expiresAt: number;
}

/** Stores a waiting execution's token (token first, then the set: see resumeWaits for why). */
export async function registerWait(deps: TaskTokenDeps, action: WaitForAction, now = new Date()): Promise<void> {
  await deps.doc.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        pk: profilePk(action.profileId),
        sk: waitSk(action.event, action.executionName),
        token: action.token,
        event: action.event,
        ...(action.where ? { where: action.where } : {}),
        scenarioId: action.scenarioId,
        stepId: action.stepId,
        executionName: action.executionName,
        createdAt: now.toISOString(),
        expiresAt: Math.ceil(now.getTime() / 1000) + action.timeoutSeconds + tokenGraceSeconds,
      },
    }),
  );
  await addWaitingFor(deps, action.profileId, action.event);
}

async function addWaitingFor(deps: TaskTokenDeps, profileId: string, eventName: string) {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: { pk: profilePk(profileId), sk: profileSk },
      // Bumping the processor's version makes a save that read the profile before this wait re-read it,
      // so an event processed concurrently still sees the new name.
      UpdateExpression: 'ADD waitingFor :names, v :one',
      ExpressionAttributeValues: { ':names': new Set([eventName]), ':one': 1 },
    }),
  );
}

async function tokensFor(deps: TaskTokenDeps, profileId: string, eventName: string): Promise<TokenItem[]> {
  const res = await deps.doc.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': profilePk(profileId), ':prefix': waitPrefix(eventName) },
      ConsistentRead: true,
      Limit: maxWaitsPerResume,
    }),
  );
  return (res.Items ?? []) as TokenItem[];
}

/** A token that was already used, timed out, or belongs to a stopped execution: nothing to resume. */
function isGone(err: unknown): boolean {
  return err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken;
}

/**
 * Resumes the profile's executions waiting for `eventName` with the event as the task output, deletes
 * their tokens, and returns how many resumed. Safe to call again with the same event: a token is
 * deleted only after its execution took it, and a used or expired token is dropped without failing.
 */
export async function resumeWaits(
  deps: { doc: DynamoDBDocumentClient; sfn: SFNClient; tableName: string },
  profileId: string,
  eventName: string,
  event: Record<string, unknown>,
): Promise<number> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const items = await tokensFor(deps, profileId, eventName);
  let resumed = 0;
  let kept = 0;
  for (const item of items) {
    const expired = item.expiresAt < nowSeconds;
    if (!expired && item.where && !matchesWhere(item.where, event)) {
      kept++;
      continue;
    }
    if (!expired) {
      try {
        await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: item.token, output: JSON.stringify(event) }));
        resumed++;
      } catch (err) {
        if (!isGone(err)) throw err;
      }
    }
    try {
      // Only this token: a newer wait of the same execution (new token) must stay.
      await deps.doc.send(
        new DeleteCommand({
          TableName: deps.tableName,
          Key: { pk: item.pk, sk: item.sk },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': item.token },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      kept++;
    }
  }
  if (kept === 0 && items.length < maxWaitsPerResume) await dropWaitingFor(deps, profileId, eventName);
  return resumed;
}

/**
 * Removes the name from `waitingFor` once no wait for it is left. A wait registering meanwhile writes
 * its token before adding the name, so the re-read below either sees that token (and puts the name
 * back) or the registration's own ADD lands after this DELETE.
 */
async function dropWaitingFor(deps: TaskTokenDeps, profileId: string, eventName: string) {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: { pk: profilePk(profileId), sk: profileSk },
      UpdateExpression: 'DELETE waitingFor :names',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':names': new Set([eventName]) },
    }),
  ).catch((err: unknown) => {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  });
  if ((await tokensFor(deps, profileId, eventName)).length > 0) await addWaitingFor(deps, profileId, eventName);
}
