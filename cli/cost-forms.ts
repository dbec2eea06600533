/**
 * Forms and landing pages in the monthly estimate (cli/cost-model.ts): landing page views and form
 * submissions, each an HTTP API request to the `forms` function, with that function's measured time and
 * DynamoDB units (bench/results/landing-page.json, `npm run bench:landing-page`).
 */

/** bench/results/landing-page.json: the forms function per page view and per submission. */
export interface FormsUsage {
  pageViewMs: number;
  pageViewWriteUnits: number;
  pageViewReadUnits: number;
  submissionMs: number;
  submissionWriteUnits: number;
  submissionReadUnits: number;
}
export const formsFigures = ['pageViewMs', 'pageViewWriteUnits', 'pageViewReadUnits', 'submissionMs', 'submissionWriteUnits', 'submissionReadUnits'] as const;

export const formsAssumptions = {
  /**
   * Write units of a submission's transaction (submission, its guard and the day's counter: 3 items) that
   * local metering cannot see (the emulated TransactWriteItems reports none): DynamoDB bills transactional
   * writes twice.
   */
  submissionTransactionWriteUnits: 6,
  /** Memory (GB) of the forms function as deployed. */
  formsGb: 0.128,
} as const;

type Add = (service: string, item: string, usd: number, perEventUsd?: number, fixed?: boolean) => void;

interface Pricing {
  api(requests: number): number;
  lambda(invocations: number, msEach: number, gb: number): number;
  dynamo(wru: number, rru: number): number;
}

/** The line items of page views and submissions; none when the month has neither. */
export function formsItems(v: { pageViews?: number; submissions?: number }, u: FormsUsage | undefined, price: Pricing, add: Add, missing: string[]): void {
  const views = v.pageViews ?? 0;
  const posts = v.submissions ?? 0;
  if (views + posts === 0) return;
  add('API Gateway', `forms: ${fmt(views)} landing page views, ${fmt(posts)} submissions`, price.api(views + posts));
  if (!u) {
    missing.push('landing pages and forms (npm run bench:landing-page)');
    return;
  }
  const ms = views * u.pageViewMs + posts * u.submissionMs;
  const invocations = views + posts;
  add('Lambda', `forms: ${fmt(invocations)} invocations, ${(ms / Math.max(1, invocations)).toFixed(0)} ms mean`, price.lambda(invocations, ms / Math.max(1, invocations), formsAssumptions.formsGb));
  const wru = views * u.pageViewWriteUnits + posts * (u.submissionWriteUnits + formsAssumptions.submissionTransactionWriteUnits);
  const rru = views * u.pageViewReadUnits + posts * u.submissionReadUnits;
  add('DynamoDB', `forms: ${fmt(wru)} write units (view counters, submissions, consent), ${fmt(rru)} read units`, price.dynamo(wru, rru));
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
