/**
 * The demo shop's pages (catalog in demo/shop.ts): /shop/ with "Recommended for you" and the products by
 * category, a page per product (/shop/<id>.html: "Product Viewed" with the e-commerce spec's properties,
 * "Customers also bought" from bought-together), and /shop/cart.html whose checkout tracks "Order
 * Completed" with products[]. Recommendations come from the personalization add-on (`nurture('recommend')`),
 * so its impressions and clicks are tracked; the cart lives in localStorage. Ids are what
 * test/e2e/demo-shop.test.ts relies on.
 */
import { productProperties, shopCategories, shopCurrency, type ShopProduct, shopProducts } from '../shop.js';
import { type Page, renderPage, type SiteFill } from './layout.js';

/** Items a recommendation block asks for. */
export const shopRecommendationLimit = 4;
/** Where the cart is kept in the browser (product ids, in the order added). */
const cartKey = 'acme-cart';

/** A JS value literal safe inside an HTML <script> element. */
const js = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const yen = new Intl.NumberFormat('en-US', { style: 'currency', currency: shopCurrency });
const colourOf = Object.fromEntries(shopCategories.map((c) => [c.id, c.colour]));
const labelOf = Object.fromEntries(shopCategories.map((c) => [c.id, c.label]));
const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter((w) => /^[A-Z0-9]/.test(w))
    .slice(0, 2)
    .map((w) => w[0])
    .join('');

/** The shop's helpers in the browser: prices, the cart, and a recommendations answer as product cards. */
const shopScript = `<script>
var acmeShop = {
  colours: ${js(colourOf)},
  price: function (n) { return new Intl.NumberFormat('en-US', {style: 'currency', currency: ${js(shopCurrency)}}).format(n); },
  cart: function () { try { return JSON.parse(localStorage.getItem(${js(cartKey)}) || '[]'); } catch (e) { return []; } },
  save: function (ids) { localStorage.setItem(${js(cartKey)}, JSON.stringify(ids)); },
  initials: function (name) { return name.split(/\\s+/).filter(function (w) { return /^[A-Z0-9]/.test(w); }).slice(0, 2).map(function (w) { return w[0]; }).join(''); },
  /** Fills a list with an answer of nurture('recommend'); the add-on tracks clicks on [data-nurture-product]. */
  show: function (list, answer) {
    var empty = document.getElementById(list.id + '-empty');
    list.innerHTML = '';
    if (!answer || !answer.items.length) { empty.hidden = false; return; }
    list.setAttribute('data-nurture-rec', answer.recId);
    answer.items.forEach(function (it) {
      var li = document.createElement('li');
      li.className = 'product';
      li.innerHTML = '<span class="thumb" aria-hidden="true"></span><h3><a></a></h3><p class="cost"></p>';
      var a = li.querySelector('a');
      a.href = it.url ? new URL(it.url, location.href).pathname : '/shop/' + encodeURIComponent(it.productId) + '.html';
      a.textContent = it.name;
      a.setAttribute('data-nurture-product', it.productId);
      var thumb = li.querySelector('.thumb');
      thumb.textContent = acmeShop.initials(it.name);
      thumb.style.background = acmeShop.colours[it.category] || '#5b6675';
      li.querySelector('.cost').textContent = it.price != null ? acmeShop.price(it.price) : '';
      list.appendChild(li);
    });
  }
};
</script>
`;

/** A block a recommendations answer fills: a heading, the list, and what shows when there is nothing. */
const recBlock = (id: string, title: string, empty: string) => `<section class="recs" aria-labelledby="${id}-title">
  <h2 id="${id}-title">${title}</h2>
  <ul id="${id}" class="products" aria-live="polite"></ul>
  <p id="${id}-empty" class="muted" hidden>${empty}</p>
</section>
`;

const thumb = (p: ShopProduct) => `<span class="thumb" style="background:${colourOf[p.category]}" aria-hidden="true">${initials(p.name)}</span>`;

const card = (p: ShopProduct) => `    <li class="product">
      ${thumb(p)}
      <h3><a href="/shop/${p.id}.html">${html(p.name)}</a></h3>
      <p class="cost">${yen.format(p.price)}</p>
    </li>
`;

const shopIndex: Page = {
  title: 'Shop — Acme Analytics',
  description: 'Add-ons, training, books, templates, services and merchandise for Acme Analytics teams.',
  personalize: true,
  main: `<h1>Acme Shop</h1>
<p class="lead">Add-ons, training and a few things for the office, for teams that live in their dashboards. Prices in yen, tax included.</p>
<p class="banner" data-nurture-show="known" id="welcome-back">Welcome back! Your orders and course seats are in your workspace under Billing.</p>
<p><a href="/shop/cart.html" id="cart-link">Your cart</a></p>
${recBlock('for-you', 'Recommended for you', 'Popular products show here once the shop has some history.')}${shopCategories
    .map(
      (c) => `<section class="category" aria-labelledby="cat-${c.id}">
  <h2 id="cat-${c.id}">${html(c.label)}</h2>
  <ul class="products">
${shopProducts.filter((p) => p.category === c.id).map(card).join('')}  </ul>
</section>
`,
    )
    .join('')}${shopScript}<script>
nurture('recommend', {strategy: 'for-you', limit: ${shopRecommendationLimit}}, function (answer) { acmeShop.show(document.getElementById('for-you'), answer); });
</script>
`,
};

function productPage(p: ShopProduct): Page {
  const props = productProperties(p);
  delete props.url;
  return {
    title: `${p.name} — Acme Shop`,
    description: p.blurb,
    personalize: true,
    head: `<script>\nnurture('track', 'Product Viewed', Object.assign(${js(props)}, {url: location.origin + '/shop/${p.id}.html'}));\n</script>\n`,
    main: `<p class="crumbs"><a href="/shop/">Shop</a> / ${html(labelOf[p.category]!)}</p>
<article class="item">
  <svg class="picture" viewBox="0 0 240 160" role="img" aria-labelledby="picture-title"><title id="picture-title">${html(`Placeholder picture of ${p.name}`)}</title><rect width="240" height="160" rx="12" fill="${colourOf[p.category]}"/><text x="120" y="98" text-anchor="middle" font-size="48" font-family="sans-serif" fill="#fff">${initials(p.name)}</text></svg>
  <div>
    <h1 id="product-name">${html(p.name)}</h1>
    <p class="lead">${html(p.blurb)}</p>
    <p class="cost big" id="product-price">${yen.format(p.price)}</p>
    <p><button type="button" class="button" id="add-to-cart">Add to cart</button> <a class="button ghost" href="/shop/cart.html">View cart</a></p>
    <p id="added" role="status"></p>
  </div>
</article>
${recBlock('also-bought', 'Customers also bought', 'Nothing to suggest yet.')}${shopScript}<script>
nurture('recommend', {strategy: 'bought-together', productId: ${js(p.id)}, limit: ${shopRecommendationLimit}}, function (answer) { acmeShop.show(document.getElementById('also-bought'), answer); });
document.getElementById('add-to-cart').addEventListener('click', function () {
  var cart = acmeShop.cart();
  cart.push(${js(p.id)});
  acmeShop.save(cart);
  nurture('track', 'Product Added', Object.assign(${js(props)}, {url: location.origin + '/shop/${p.id}.html', quantity: 1}));
  document.getElementById('added').textContent = 'Added to your cart (' + cart.length + ' item' + (cart.length == 1 ? '' : 's') + ').';
});
</script>
`,
  };
}

const cartPage: Page = {
  title: 'Your cart — Acme Shop',
  description: 'The products in your cart, and checkout.',
  personalize: true,
  main: `<p class="crumbs"><a href="/shop/">Shop</a> / Cart</p>
<h1>Your cart</h1>
<ul id="cart-lines" class="lines"></ul>
<p id="cart-empty" hidden>Your cart is empty. <a href="/shop/">Browse the shop</a>.</p>
<p class="cost big" id="cart-total"></p>
<form id="checkout-form" class="form" action="/shop/cart.html" method="post">
  <label>Email for the receipt <input name="email" id="checkout-email" type="email" autocomplete="email" required></label>
  <button type="submit" id="place-order" class="button">Place order</button>
</form>
<div id="ordered" class="thanks" role="status" hidden>
  <h2>Thank you for your order!</h2>
  <p>A receipt is on its way. Order <span id="order-id"></span>.</p>
</div>
${shopScript}<script>
(function () {
  var catalog = ${js(Object.fromEntries(shopProducts.map((p) => [p.id, productProperties(p)])))};
  var ids = acmeShop.cart().filter(function (id) { return catalog[id]; });
  var lines = document.getElementById('cart-lines');
  var total = 0;
  ids.forEach(function (id) {
    var li = document.createElement('li');
    li.textContent = catalog[id].name + ' — ' + acmeShop.price(catalog[id].price);
    lines.appendChild(li);
    total += catalog[id].price;
  });
  var form = document.getElementById('checkout-form');
  if (!ids.length) { document.getElementById('cart-empty').hidden = false; form.hidden = true; return; }
  document.getElementById('cart-total').textContent = 'Total: ' + acmeShop.price(total);
  form.addEventListener('submit', function (e) {
    e.preventDefault(); // no real payment: the demo has no shop back end
    var orderId = 'o-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
    var products = ids.map(function (id) { return Object.assign({}, catalog[id], {url: location.origin + '/shop/' + id + '.html', quantity: 1}); });
    nurture('identify', null, {email: form.elements.email.value.trim()});
    nurture('track', 'Order Completed', {order_id: orderId, total: total, currency: ${js(shopCurrency)}, products: products});
    acmeShop.save([]);
    form.hidden = true;
    document.getElementById('order-id').textContent = orderId;
    document.getElementById('ordered').hidden = false;
  });
})();
</script>
`,
};

/** The shop's pages by path, as renderSite's: served beside them by serve.ts. */
export const shopPages: Record<string, Page> = {
  '/shop/index.html': shopIndex,
  '/shop/cart.html': cartPage,
  ...Object.fromEntries(shopProducts.map((p) => [`/shop/${p.id}.html`, productPage(p)])),
};

/** Every shop page rendered, by path, with the navigation marking Shop. */
export function renderShop(fill: SiteFill): Map<string, string> {
  return new Map(Object.entries(shopPages).map(([path, page]) => [path, renderPage('/shop/', page, fill)]));
}
