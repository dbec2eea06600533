/**
 * Domain events Nurture publishes on its EventBridge bus (env EVENT_BUS_NAME). Scenarios enroll on them
 * and CRM/webhook targets receive them. Each is published once per cause (the publisher dedups by
 * `messageId`, the id of the event that caused it). Pure types and names: no SDK here.
 */

/** `source` of lead lifecycle events. */
export const leadSource = 'nurture.leads';
/** `source` of business events passed through from the events stream (detail-type = event name). */
export const activitySource = 'nurture.activity';

export type LeadDetailType = 'lead.identified' | 'lead.merged' | 'lead.stage_changed' | 'lead.lifecycle_changed' | 'segment.entered' | 'segment.exited';

interface Base {
  profileId: string;
  /** Id of the stream message that caused this event (idempotency key of the publication). */
  messageId: string;
  /** When the cause happened (ISO). */
  occurredAt: string;
}

export interface LeadIdentified extends Base {
  email?: string;
  userId?: string;
}

export interface LeadMerged extends Base {
  /** Profile that no longer exists on its own; its id keeps resolving to `profileId`. */
  mergedProfileId: string;
}

export interface LeadStageChanged extends Base {
  from: string;
  to: string;
  score: number;
}

/**
 * detail-type `lead.lifecycle_changed`: the customer's lifecycle state changed (scoring/domain/lifecycle.ts),
 * by an order (`messageId` is the order event's) or by time alone, found by the sweep (`messageId` is
 * lifecycleChangeId: the same change found twice publishes once).
 */
export interface LeadLifecycleChanged extends Base {
  from: 'prospect' | 'new' | 'active' | 'loyal' | 'at_risk' | 'churned';
  to: 'prospect' | 'new' | 'active' | 'loyal' | 'at_risk' | 'churned';
  /** When the new state began (ISO): the order's time, or the boundary crossed. */
  since: string;
  /** Orders counted so far, and their revenue. */
  orders: number;
  revenue: number;
}

/**
 * detail-type `segment.entered` / `segment.exited` (source nurture.leads): the person's membership of a
 * segment changed (functions/segments/domain/step.ts), found by the stream processor, the due sweep or a
 * back-fill. `messageId` is the change's id (segments/domain/diff.ts changeId), so the same change found
 * twice publishes once. `occurredAt` is when it was found.
 */
export interface SegmentEntered extends Base {
  segmentId: string;
}

export interface SegmentExited extends Base {
  segmentId: string;
  /** When the person had entered (ISO). */
  since: string;
}

/**
 * A business event ("Order Completed", "Form Submitted", "Email Link Clicked", ...) with its profile
 * resolved; detail-type is the event name (track) or `Page Viewed` (page).
 */
export interface ActivityDetail extends Base {
  type: string;
  event: string;
  properties: Record<string, unknown>;
  score: number;
  stage: string;
}

/** `source` of events scenarios publish (notify steps). */
export const scenarioSource = 'nurture.scenarios';

/**
 * detail-type `lead.handoff`: a scenario's notify step hands the lead to sales. `messageId` is
 * `<execution name>#<step id>`, the same for every retry of that step.
 */
export interface LeadHandoff extends Base {
  scenarioId: string;
  stepId: string;
  executionName: string;
  /** The notify step's text for the sales team. */
  reason: string;
}

/** `source` of events forms publish. */
export const formsSource = 'nurture.forms';

/**
 * detail-type `lead.handoff` (source nurture.forms): a form whose definition says `submit.notify` was
 * submitted; sales should follow up. `messageId` is `form:<formId>:<submissionId>`, the same however often
 * the follow-up runs.
 */
export interface FormHandoff extends Base {
  formId: string;
  submissionId: string;
  /** The definition's `submit.notify` text. */
  reason: string;
  email?: string;
}
