/**
 * The demo site's pages ("Acme Analytics", a small B2B SaaS), rendered with layout.ts. Paths, forms and
 * element ids are what the e2e tests, the demo traffic (demo/traffic.ts) and the tracker rely on.
 */
import { type Page, renderPage, type SiteFill } from './layout.js';

/** One product of the demo company: its page, its card on /products.html and its "Product Viewed" event. */
interface Product {
  id: string;
  name: string;
  tag: string;
  category: string;
  headline: string;
  lead: string;
  features: string[];
}

const products: Product[] = [
  {
    id: 'insight',
    name: 'Insight',
    tag: 'Self-serve dashboards',
    category: 'dashboards',
    headline: 'dashboards your whole company can read',
    lead: 'Connect your warehouse and build dashboards in minutes. Insight turns raw events into the metrics your team argues about: activation, retention, expansion.',
    features: [
      'Drag-and-drop charts over Snowflake, BigQuery, Redshift and Postgres',
      'Metric definitions in one place, versioned like code',
      'Scheduled reports to Slack and email',
      'Row-level permissions and SSO',
    ],
  },
  {
    id: 'pulse',
    name: 'Pulse',
    tag: 'Real-time KPI alerts',
    category: 'monitoring',
    headline: 'know the minute a number moves',
    lead: 'Pulse watches your key metrics in real time and tells the right person when something unusual happens — before the weekly review does.',
    features: [
      'Anomaly detection tuned to seasonality',
      'Alerts to Slack, PagerDuty, Teams and email',
      'Root-cause breakdowns by segment',
      'Alert budgets so nobody gets paged at 3 a.m. for noise',
    ],
  },
  {
    id: 'forecast',
    name: 'Forecast',
    tag: 'Revenue forecasting',
    category: 'forecasting',
    headline: 'forecasts your board will believe',
    lead: 'Forecast models revenue, pipeline and churn from your own history and shows its confidence, so planning starts from numbers rather than hope.',
    features: [
      'MRR, ARR and pipeline forecasts with confidence bands',
      'Scenario planning: hiring, pricing and churn what-ifs',
      "Backtests that show how right last quarter's forecast was",
      'Exports to Google Sheets and Excel',
    ],
  },
];

function productPage(p: Product): Page {
  return {
    title: `Acme ${p.name} — ${p.tag}`,
    description: p.lead,
    head: `<script>\nnurture('track', 'Product Viewed', {product_id: '${p.id}', name: 'Acme ${p.name}', category: '${p.category}', url: location.origin + '/products/${p.id}.html'});\n</script>\n`,
    main: `<p class="crumbs"><a href="/products.html">Products</a> / ${p.name}</p>
<h1>Acme ${p.name}: ${p.headline}</h1>
<p class="lead">${p.lead}</p>
<ul class="features">
${p.features.map((f) => `  <li>${f}</li>\n`).join('')}</ul>
<p><a class="button" href="/contact.html" id="cta-contact">Talk to us about ${p.name}</a> <a class="button ghost" href="/pricing.html">Pricing</a> <a class="button ghost" href="%API%/p/brochure">Product brochure</a></p>
`,
  };
}

const productCard = (p: Product) => `  <article class="card">
    <h2><a href="/products/${p.id}.html">${p.name}</a></h2>
    <p class="tag">${p.tag}</p>
    <p>${p.lead}</p>
    <p><a href="/products/${p.id}.html" id="more-${p.id}">Learn more →</a></p>
  </article>
`;

/** Every page by the path it is served at. */
export const pages: Record<string, Page> = {
  '/index.html': {
    title: 'Acme Analytics — analytics for B2B SaaS teams',
    description: 'Dashboards, real-time alerts and revenue forecasts for B2B SaaS teams.',
    main: `<section class="hero">
  <h1>Know your numbers. Act before the quarter ends.</h1>
  <p class="lead">Acme Analytics gives B2B SaaS teams dashboards everyone trusts, alerts that fire when it matters, and forecasts that hold up in the board meeting.</p>
  <p><a class="button" href="/contact.html" id="cta-demo">Book a demo</a> <a class="button ghost" href="/pricing.html" id="cta-pricing">See pricing</a></p>
</section>
<section class="cards">
  <article class="card">
    <h2><a href="/products/insight.html">Insight</a></h2>
    <p>Self-serve dashboards over your warehouse, with one set of metric definitions.</p>
  </article>
  <article class="card">
    <h2><a href="/products/pulse.html">Pulse</a></h2>
    <p>Real-time anomaly alerts on the KPIs that pay the bills.</p>
  </article>
  <article class="card">
    <h2><a href="/products/forecast.html">Forecast</a></h2>
    <p>Revenue and churn forecasts with honest confidence bands.</p>
  </article>
</section>
<section class="proof">
  <h2>Trusted by 1,200 teams</h2>
  <blockquote>“We replaced three tools and a spreadsheet nobody understood. Our Monday metrics review went from an hour to ten minutes.”<cite>— Dana Okafor, VP Finance, Northwind Cloud</cite></blockquote>
</section>
`,
  },
  '/products.html': {
    title: 'Products — Acme Analytics',
    description: 'Insight, Pulse and Forecast: the Acme Analytics product suite.',
    main: `<h1>Products</h1>
<p class="lead">Three products that share one metric layer. Start with one; add the others when you need them.</p>
<section class="cards">
${products.map(productCard).join('')}</section>
`,
  },
  '/pricing.html': {
    title: 'Pricing — Acme Analytics',
    description: 'Simple per-workspace pricing for Acme Analytics.',
    main: `<h1>Pricing</h1>
<p class="lead">Every plan includes unlimited viewers. Annual billing saves two months.</p>
<section class="cards plans">
  <article class="card plan" id="plan-starter">
    <h2>Starter</h2>
    <p class="price">$49<span>/month</span></p>
    <ul><li>Insight</li><li>3 editors</li><li>1 data source</li><li>Email support</li></ul>
    <p><a class="button ghost" href="/contact.html">Start free trial</a></p>
  </article>
  <article class="card plan featured" id="plan-growth">
    <h2>Growth</h2>
    <p class="price">$199<span>/month</span></p>
    <ul><li>Insight + Pulse</li><li>15 editors</li><li>5 data sources</li><li>Slack alerts</li></ul>
    <p><a class="button" href="/contact.html">Start free trial</a></p>
  </article>
  <article class="card plan" id="plan-enterprise">
    <h2>Enterprise</h2>
    <p class="price">Custom</p>
    <ul><li>All products incl. Forecast</li><li>Unlimited editors</li><li>SSO, audit log, SLA</li><li>Dedicated success manager</li></ul>
    <p><a class="button ghost" href="/contact.html">Contact sales</a></p>
  </article>
</section>
`,
  },
  '/faq.html': {
    title: 'FAQ — Acme Analytics',
    description: 'Answers to common questions about Acme Analytics.',
    main: `<h1>Frequently asked questions</h1>
<section class="faq">
<details>
  <summary>Where is my data stored?</summary>
  <p>Acme reads from your warehouse and keeps only aggregated results, in the region you choose (US or EU).</p>
</details>
<details>
  <summary>How long does setup take?</summary>
  <p>Most teams connect a warehouse and publish their first dashboard on day one. Forecast needs about 12 months of history.</p>
</details>
<details>
  <summary>Is there a free trial?</summary>
  <p>Yes: 14 days of the Growth plan, no credit card required.</p>
</details>
<details>
  <summary>Can I cancel at any time?</summary>
  <p>Monthly plans cancel at the end of the month; annual plans at the end of the term.</p>
</details>
<details>
  <summary>Do you support SSO?</summary>
  <p>SAML and OIDC single sign-on are included in the Enterprise plan.</p>
</details>
<details>
  <summary>Which data sources do you support?</summary>
  <p>Snowflake, BigQuery, Redshift, Databricks, Postgres and MySQL, plus CSV upload.</p>
</details>
</section>
<p>Still wondering? <a href="/contact.html">Ask us</a>.</p>
`,
  },
  '/contact.html': {
    title: 'Contact sales — Acme Analytics',
    description: 'Book a demo or ask the Acme Analytics team a question.',
    main: `<h1>Talk to sales</h1>
<p class="lead">Tell us a little about your team and we will get back to you within one business day.</p>
<!-- Nurture's embeddable form: the definition forms/contact.yaml in the content bucket, rendered and validated by
     nurture-forms.min.js, submitted to Nurture's API (which names the visitor with their history). -->
<div class="form" id="contact-form" data-nurture-form="contact" data-lang="en"></div>
<script src="/nurture-forms.min.js" data-api="%API%" async></script>
<p>Rather read first? <a href="%API%/p/brochure" id="brochure-link">Get the product brochure</a>.</p>
`,
  },
  ...Object.fromEntries(products.map((p) => [`/products/${p.id}.html`, productPage(p)])),
};

/** Every page but the shop's (site/shop.ts renderShop) rendered, by path, with the tracker snippet filled in. */
export function renderSite(fill: SiteFill): Map<string, string> {
  return new Map(Object.entries(pages).map(([path, page]) => [path, renderPage(path === '/index.html' ? '/' : path, page, fill)]));
}
