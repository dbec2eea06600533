/** Every report by name: the routes, the CLI and the tests list them from here. */
import type { AnyReport } from '../domain/report.js';
import { attribution } from './attribution.js';
import { channels } from './channels.js';
import { funnel } from './funnel.js';
import { pages } from './pages.js';
import { paths } from './paths.js';
import { recommendations } from './recommendations.js';
import { repeatVisitors } from './repeat-visitors.js';
import { traffic } from './traffic.js';

export const reports: Readonly<Record<string, AnyReport>> = Object.fromEntries(
  [traffic, pages, paths, funnel, repeatVisitors, channels, attribution, recommendations].map((r) => [r.name, r]),
);

export const reportNames = Object.keys(reports);
