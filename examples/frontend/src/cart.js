// Cart arithmetic shared by the browser (global `Cart`) and the tests (CommonJS `require`).
// Money is integer cents, as in the orders service, so that the page and the API agree to the cent.
(function (root, factory) {
  const api = factory();
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.Cart = api;
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const MAX_QUANTITY = 100;

  function addItem(cart, product, quantity = 1) {
    if (!product || typeof product.sku !== 'string' || !Number.isInteger(product.priceCents)) {
      throw new TypeError('a product needs a sku and an integer priceCents');
    }
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new RangeError('quantity must be a positive integer');
    }
    const existing = cart.find((line) => line.sku === product.sku);
    const current = existing ? existing.quantity : 0;
    const next = Math.min(current + quantity, MAX_QUANTITY);
    const others = cart.filter((line) => line.sku !== product.sku);
    return [...others, { sku: product.sku, name: product.name, unitPriceCents: product.priceCents, quantity: next }];
  }

  function removeItem(cart, sku) {
    return cart.filter((line) => line.sku !== sku);
  }

  function subtotalCents(cart) {
    return cart.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  }

  function itemCount(cart) {
    return cart.reduce((sum, line) => sum + line.quantity, 0);
  }

  function formatCents(cents, currency = 'USD', locale = 'en-US') {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
  }

  // The body the orders Lambda expects for POST /orders/quote.
  function toQuoteRequest(cart, region, coupon) {
    const request = {
      region,
      items: cart.map((line) => ({ sku: line.sku, quantity: line.quantity, unit_price_cents: line.unitPriceCents })),
    };
    if (coupon) {
      request.coupon = coupon;
    }
    return request;
  }

  return { MAX_QUANTITY, addItem, removeItem, subtotalCents, itemCount, formatCents, toQuoteRequest };
});
