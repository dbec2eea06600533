/**
 * Points of an update step travel as a Nurture-made track event through the events stream, so the
 * scoring processor stays the only writer of scores (and explains the points like any other).
 */
import { createHash } from 'node:crypto';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import { pointsEventName } from '../domain/contract.js';
import type { PointsAction } from '../domain/step-actions.js';

/** The event for an update step's points; its messageId is fixed per execution and step, so a retry dedups. */
export function pointsEvent(action: PointsAction, now = new Date()): CollectedEvent {
  const key = `${action.executionName}#${action.stepId}`;
  const at = now.toISOString();
  return {
    type: 'track',
    messageId: `scenario-${createHash('sha256').update(key).digest('base64url').slice(0, 24)}`,
    event: pointsEventName,
    properties: { points: action.points, scenarioId: action.scenarioId, stepId: action.stepId, executionName: action.executionName },
    context: {},
    timestamp: at,
    receivedAt: at,
    source: 'nurture-scenarios',
    nurture: { v: 1, bot: false, profileId: action.profileId },
  };
}

export async function publishPoints(sink: KinesisSink, action: PointsAction, now = new Date()): Promise<void> {
  await sink.put([pointsEvent(action, now)]);
}
