/**
 * The demo site's one layout: head (title, description, stylesheet, the Nurture tracker snippet), the
 * navigation with the current page marked, the page's content, and the footer. Pages live in pages.ts.
 */
import { personalizeSnippet, snippet } from '../../tracker/snippet.js';

/** One page of the demo site. */
export interface Page {
  title: string;
  description: string;
  /** Extra markup at the end of <head> (e.g. a product page's "Product Viewed" call). */
  head?: string;
  /** The content of <main>, as HTML; `%API%` stands for the API's URL (the landing pages and forms it serves). */
  main: string;
  /** Load the personalization add-on (recommendations, data-nurture-show) with its head snippet. */
  personalize?: boolean;
}

/** What the tracker snippet is filled with: the local API and its write key. */
export interface SiteFill {
  apiUrl: string;
  writeKey: string;
}

/** The navigation, in order; `sub` entries are indented under Products. */
export const navigation: readonly { href: string; label: string; sub?: boolean }[] = [
  { href: '/', label: 'Home' },
  { href: '/products.html', label: 'Products' },
  { href: '/products/insight.html', label: 'Insight', sub: true },
  { href: '/products/pulse.html', label: 'Pulse', sub: true },
  { href: '/products/forecast.html', label: 'Forecast', sub: true },
  { href: '/pricing.html', label: 'Pricing' },
  { href: '/faq.html', label: 'FAQ' },
  { href: '/contact.html', label: 'Contact' },
  { href: '/shop/', label: 'Shop' },
];

function nav(current: string): string {
  return navigation
    .map((item) => {
      const here = item.href === current ? ' aria-current="page"' : '';
      return `      <li${item.sub ? ' class="sub"' : ''}><a href="${item.href}"${here}>${item.label}</a></li>\n`;
    })
    .join('');
}

/**
 * The full HTML of the page served at `path` (`/` for the home page); `path` marks the navigation entry
 * (the shop's pages pass `/shop/`).
 */
export function renderPage(path: string, page: Page, fill: SiteFill): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<meta name="description" content="${page.description}">
<link rel="stylesheet" href="/site.css">
${page.personalize ? `<!-- Nurture personalization: the add-on's head snippet, above the tracker snippet. -->\n${personalizeSnippet({ src: '/nurture-personalize.min.js' })}` : ''}<!-- Nurture tracker: the snippet an operator pastes into a site, filled with the local API and write key. -->
${snippet({ api: fill.apiUrl, writeKey: fill.writeKey, src: '/nurture.min.js' })}${page.head ?? ''}</head>
<body>
<header class="top">
  <nav class="wrap" aria-label="Main">
    <a class="brand" href="/" id="brand"><span class="logo" aria-hidden="true">◆</span> Acme Analytics</a>
    <ul id="nav">
${nav(path)}    </ul>
  </nav>
</header>
<main class="wrap">
${page.main.replaceAll('%API%', fill.apiUrl)}</main>
<footer class="foot">
  <div class="wrap">
    <p>© 2025 Acme Analytics, Inc. · 500 Market Street, San Francisco · <a href="/contact.html">Talk to sales</a></p>
    <p class="demo">Demo site for Nurture. Try arriving <a href="/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=spring-launch">from the spring newsletter</a> or <a href="/pricing.html?utm_source=google&amp;utm_medium=cpc&amp;utm_campaign=brand&amp;utm_term=acme+analytics">from a search ad</a>.</p>
  </div>
</footer>
</body>
</html>
`;
}
