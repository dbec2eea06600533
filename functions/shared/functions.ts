/**
 * Every deployed function by name, and its entry file. CDK bundles each entry (infra/nurture-function.ts);
 * local mode loads the same entries. Pure data.
 */

export type FunctionName =
  | 'collect'
  | 'process'
  | 'rulesCheck'
  | 'sweep'
  | 'adminProfiles'
  | 'send'
  | 'mailLinks'
  | 'sendingAdmin'
  | 'templateCheck'
  | 'sesEvents'
  | 'enroll'
  | 'scenarioSteps'
  | 'scenariosAdmin'
  | 'analyticsAdmin'
  | 'lakeErase'
  | 'channelsAdmin'
  | 'segmentsAdmin'
  | 'segmentsSweep'
  | 'broadcastsAdmin'
  | 'broadcastPage'
  | 'recommendationsBuild'
  | 'recommendationsCatalogCheck'
  | 'recommend'
  | 'forms'
  | 'formsAdmin'
  | 'formsCheck'
  | 'formsFollowUp'
  | 'crmInbound';

/** Source entry file of each function, relative to the repository root (for NodejsFunction and local mode). */
export const functionEntries: Record<FunctionName, string> = {
  collect: 'functions/ingest/collect.ts',
  process: 'functions/scoring/process.ts',
  rulesCheck: 'functions/scoring/rules-check.ts',
  sweep: 'functions/scoring/sweep.ts',
  adminProfiles: 'functions/profiles/admin.ts',
  send: 'functions/sending/send.ts',
  mailLinks: 'functions/sending/links.ts',
  sendingAdmin: 'functions/sending/admin.ts',
  templateCheck: 'functions/sending/template-check.ts',
  sesEvents: 'functions/sending/ses-events.ts',
  enroll: 'functions/scenarios/enroll.ts',
  scenarioSteps: 'functions/scenarios/steps.ts',
  scenariosAdmin: 'functions/scenarios/admin.ts',
  analyticsAdmin: 'functions/analytics/admin.ts',
  lakeErase: 'functions/analytics/erase.ts',
  channelsAdmin: 'functions/channels/admin.ts',
  segmentsAdmin: 'functions/segments/admin.ts',
  segmentsSweep: 'functions/segments/sweep.ts',
  broadcastsAdmin: 'functions/broadcasts/admin.ts',
  broadcastPage: 'functions/broadcasts/page.ts',
  recommendationsBuild: 'functions/recommendations/build.ts',
  recommendationsCatalogCheck: 'functions/recommendations/catalog-check.ts',
  recommend: 'functions/recommendations/recommend.ts',
  forms: 'functions/forms/public.ts',
  formsAdmin: 'functions/forms/admin.ts',
  formsCheck: 'functions/forms/content-check.ts',
  formsFollowUp: 'functions/forms/follow-up.ts',
  crmInbound: 'functions/crm/inbound.ts',
};
