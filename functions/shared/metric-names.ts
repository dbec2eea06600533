/**
 * Every metric Nurture's functions publish (namespace `Nurture`, dimension `service`), by service: what the
 * dashboard and alarms in infra/ may read. `observability(service)` types `addMetric` with this list, so a
 * function cannot publish a name missing here (tsc fails); test/infra/observability.test.ts checks that
 * everything the dashboard and alarms read is here. Names with a suffix take it from the domain's own list.
 */
import { spamReasons } from '../forms/domain/model.js';
import { stages } from '../profiles/domain/profile.js';
import { deferReasons, skipReasons } from '../sending/domain/contract.js';

const suffixed = <P extends string, S extends string>(prefix: P, suffixes: readonly S[]) => suffixes.map((s) => `${prefix}_${s}` as const);

/** SES feedback event types the sesEvents function counts (`Other` for anything else its rule lets through). */
export const sesFeedbackKinds = ['Bounce', 'Complaint', 'Other'] as const;

export const emittedMetrics = {
  collect: ['EventsAccepted', 'MessagesRejected', 'RequestsRejected', 'StoreFailures', 'PixelRejected'],
  process: ['UndecodableRecords', 'EventsScored', 'BotEventsSkipped', 'ProfilesUpdated', 'ProfileUpdateFailures', 'EventsSetAside', ...suffixed('LeadsEntered', stages)],
  sweep: ['LeadsMadeDormant', 'LifecycleChanged'],
  segmentsSweep: ['SegmentsEntered', 'SegmentsExited', 'BackfillPages'],
  send: ['EmailsSent', 'EmailsSkipped', 'EmailsDeferred', 'SendErrors', ...suffixed('EmailsSkipped', skipReasons), ...suffixed('EmailsDeferred', deferReasons)],
  sesEvents: ['AddressesSuppressed', ...suffixed('SesFeedback', sesFeedbackKinds)],
  forms: ['FormsSubmitted', ...suffixed('FormsRefused', spamReasons)],
} as const;

/** A function's name in `observability(name)`. */
export type MetricService = keyof typeof emittedMetrics;
/** The metric names `service` may publish (none for a function not listed). */
export type MetricName<S extends string> = S extends MetricService ? (typeof emittedMetrics)[S][number] : never;
