/**
 * The demo shop's catalog: 36 generated products in 6 categories (add-ons, training, books, templates,
 * services, merchandise), prices in JPY, and the planted structure the shopper persona buys by
 * (personas.ts): within each category, products 1+2, 3+4 and 5+6 are complements bought together. The
 * site's shop pages (site/shop.ts) and the demo traffic share it, so the models learn what the pages show.
 */

/** One shop product, with the fields of Segment's e-commerce spec it is tracked with. */
export interface ShopProduct {
  /** product_id, and the page: /shop/<id>.html */
  id: string;
  name: string;
  /** JPY, tax included. */
  price: number;
  category: string;
  /** One line for the card and the product page. */
  blurb: string;
}

/** The shop's currency (the demo's costs and orders are in JPY too: demo/imports.ts, personas.ts). */
export const shopCurrency = 'JPY';
/** Where the demo traffic says its shop pages are (the real browser sends its own location). */
export const shopOrigin = 'https://www.acme-analytics.example';

/** Categories: [category, label, colour of the placeholder image, six [slug, name, price, blurb]]. */
const table: [string, string, string, [string, string, number, string][]][] = [
  ['add-ons', 'Analytics add-ons', '#3451d1', [
    ['warehouse-pack', 'Warehouse Connector Pack', 12_000, 'Snowflake, BigQuery and Redshift connectors for one workspace.'],
    ['sync-scheduler', 'Sync Scheduler', 6_000, 'Hourly syncs for every connector in the pack.'],
    ['slack-alerts', 'Slack Alert Bundle', 8_000, 'Pulse alerts into any Slack channel, with threads.'],
    ['pager-bridge', 'Pager Bridge', 9_500, 'Route Pulse alerts to PagerDuty and Opsgenie.'],
    ['scenario-pack', 'Forecast Scenario Pack', 15_000, 'Hiring, pricing and churn what-ifs for Forecast.'],
    ['sheets-export', 'Sheets Export', 4_500, 'Forecasts kept in sync with Google Sheets.'],
  ]],
  ['training', 'Training', '#0f7b6c', [
    ['dashboards-101', 'Dashboards 101 (online course)', 18_000, 'Two hours from a blank canvas to a dashboard people read.'],
    ['metric-workshop', 'Metric Design Workshop', 35_000, 'A half-day workshop on defining metrics once.'],
    ['sql-analysts', 'SQL for Analysts', 22_000, 'Window functions, cohorts and funnels in plain SQL.'],
    ['sql-exercises', 'SQL Exercise Book', 3_200, '120 exercises with answers, to go with the course.'],
    ['forecast-masterclass', 'Forecasting Masterclass', 48_000, 'Build and backtest a revenue forecast in a day.'],
    ['admin-cert', 'Admin Certification', 30_000, 'The exam for workspace administrators.'],
  ]],
  ['books', 'Books', '#a04a00', [
    ['metric-layer', 'The Metric Layer', 3_800, 'Why one definition of revenue beats five.'],
    ['metric-layer-workbook', 'The Metric Layer Workbook', 2_400, 'Exercises for the book, chapter by chapter.'],
    ['forecasts-hold-up', 'Forecasts That Hold Up', 4_200, 'Forecasting for finance teams, without the jargon.'],
    ['board-deck', 'The Board Deck Handbook', 3_600, 'Twelve slides your board will actually read.'],
    ['anomaly-practice', 'Anomaly Detection in Practice', 5_200, 'Seasonality, noise and alerts that matter.'],
    ['sql-pocket', 'SQL Pocket Guide', 1_900, 'Every clause on one page.'],
  ]],
  ['templates', 'Dashboard templates', '#6b3fa0', [
    ['saas-kpis', 'SaaS KPI Dashboard', 5_000, 'MRR, churn, expansion and CAC payback on one page.'],
    ['cohort-retention', 'Cohort Retention Template', 5_000, 'Retention curves by signup month.'],
    ['pipeline-review', 'Pipeline Review Template', 6_500, 'The weekly sales pipeline meeting, prepared.'],
    ['board-template', 'Board Metrics Template', 6_500, 'The numbers of the board deck, always current.'],
    ['funnel-template', 'Marketing Funnel Template', 4_000, 'Visits to MQLs to deals, by channel.'],
    ['churn-template', 'Churn Analysis Template', 4_000, 'Who left, when, and what they did before.'],
  ]],
  ['services', 'Services', '#8a1c3b', [
    ['onboarding', 'Onboarding Session', 60_000, 'Two remote sessions to set up your workspace.'],
    ['data-audit', 'Data Audit', 90_000, 'We check your tracking plan and warehouse models.'],
    ['health-check', 'Quarterly Health Check', 40_000, 'A review of your dashboards and alerts each quarter.'],
    ['priority-support', 'Priority Support (1 year)', 120_000, 'Answers within four business hours.'],
    ['custom-dashboard', 'Custom Dashboard Build', 150_000, 'We build the dashboard you describe.'],
    ['dashboard-handover', 'Dashboard Handover Training', 25_000, 'Your team learns to maintain what we built.'],
  ]],
  ['merchandise', 'Merchandise', '#5b6675', [
    ['hoodie', 'Acme Hoodie', 7_500, 'Heavy cotton, navy, with the diamond logo.'],
    ['beanie', 'Acme Beanie', 2_800, 'Matches the hoodie.'],
    ['mug', 'Acme Mug', 1_800, 'Holds exactly one Monday metrics review of coffee.'],
    ['coasters', 'Chart Coasters (set of 4)', 1_500, 'Bar, line, pie and the forbidden 3-D pie.'],
    ['notebook', 'Dot-grid Notebook', 1_600, 'For sketching dashboards before building them.'],
    ['pen-set', 'Fine-liner Pen Set', 1_200, 'Four colours, one per series.'],
  ]],
];

/** Categories in shop order: id, label and the colour of its product images. */
export const shopCategories: readonly { id: string; label: string; colour: string }[] = table.map(([id, label, colour]) => ({ id, label, colour }));

/** Every product, by category in shop order. */
export const shopProducts: readonly ShopProduct[] = table.flatMap(([category, , , items]) =>
  items.map(([slug, name, price, blurb]) => ({ id: `${category}-${slug}`, name, price, category, blurb })),
);

export const shopProductById: ReadonlyMap<string, ShopProduct> = new Map(shopProducts.map((p) => [p.id, p]));

/**
 * The planted complements: in each category, its 1st and 2nd, 3rd and 4th, 5th and 6th products. A
 * shopper's order holds one pair (and sometimes one unrelated product), so bought-together learns each
 * product's partner.
 */
export const shopPairs: readonly [ShopProduct, ShopProduct][] = shopCategories.flatMap(({ id }) => {
  const inCategory = shopProducts.filter((p) => p.category === id);
  return [0, 2, 4].map((i) => [inCategory[i]!, inCategory[i + 1]!] as [ShopProduct, ShopProduct]);
});

/** The planted partner of a product. */
export function complementOf(id: string): ShopProduct | undefined {
  for (const [a, b] of shopPairs) {
    if (a.id === id) return b;
    if (b.id === id) return a;
  }
  return undefined;
}

/** The product's properties as `Product Viewed` and `products[]` of `Order Completed` carry them. */
export function productProperties(p: ShopProduct, origin = shopOrigin): Record<string, unknown> {
  return { product_id: p.id, name: p.name, price: p.price, currency: shopCurrency, category: p.category, url: `${origin}/shop/${p.id}.html` };
}
