'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const Cart = require('../src/cart.js');

const MUG = { sku: 'MUG', name: 'Coffee mug', priceCents: 1250 };
const BOOK = { sku: 'BOOK', name: 'Field guide', priceCents: 1000 };

test('adding the same product twice adds up its quantity', () => {
  const cart = Cart.addItem(Cart.addItem([], MUG), MUG, 2);
  assert.deepEqual(cart, [{ sku: 'MUG', name: 'Coffee mug', unitPriceCents: 1250, quantity: 3 }]);
  assert.equal(Cart.itemCount(cart), 3);
});

test('quantities are capped at the maximum the API accepts', () => {
  const cart = Cart.addItem([], MUG, Cart.MAX_QUANTITY + 5);
  assert.equal(cart[0].quantity, Cart.MAX_QUANTITY);
});

test('the subtotal is the sum of the lines, in cents', () => {
  const cart = Cart.addItem(Cart.addItem([], MUG, 2), BOOK);
  assert.equal(Cart.subtotalCents(cart), 3500);
  assert.equal(Cart.subtotalCents(Cart.removeItem(cart, 'MUG')), 1000);
});

test('invalid products and quantities are refused', () => {
  assert.throws(() => Cart.addItem([], { sku: 'X', priceCents: 9.99 }), TypeError);
  assert.throws(() => Cart.addItem([], MUG, 0), RangeError);
});

test('prices are formatted as currency', () => {
  assert.equal(Cart.formatCents(123456), '$1,234.56');
});

test('the quote request has the shape the orders Lambda expects', () => {
  const cart = Cart.addItem([], MUG, 2);
  assert.deepEqual(Cart.toQuoteRequest(cart, 'DE', 'WELCOME10'), {
    region: 'DE',
    coupon: 'WELCOME10',
    items: [{ sku: 'MUG', quantity: 2, unit_price_cents: 1250 }],
  });
  assert.equal('coupon' in Cart.toQuoteRequest(cart, 'DE'), false);
});
