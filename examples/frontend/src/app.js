// Storefront page logic. `Cart` comes from cart.js and `SHOP_CONFIG` from the build (scripts/build.js).
(function () {
  'use strict';

  const config = window.SHOP_CONFIG;
  const products = [
    { sku: 'TSHIRT-M', name: 'T-shirt (M)', priceCents: 1999 },
    { sku: 'MUG', name: 'Coffee mug', priceCents: 1250 },
    { sku: 'BOOK', name: 'Field guide', priceCents: 1000 },
  ];
  let cart = [];

  function render() {
    const list = document.getElementById('cart');
    list.replaceChildren(
      ...cart.map((line) => {
        const item = document.createElement('li');
        item.textContent = `${line.quantity} x ${line.name} - ${Cart.formatCents(line.unitPriceCents * line.quantity)}`;
        return item;
      }),
    );
    document.getElementById('subtotal').textContent = Cart.formatCents(Cart.subtotalCents(cart));
    document.getElementById('count').textContent = String(Cart.itemCount(cart));
  }

  async function checkout() {
    const status = document.getElementById('status');
    const response = await fetch(`${config.apiBaseUrl}/orders/quote`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Cart.toQuoteRequest(cart, document.getElementById('region').value)),
    });
    const body = await response.json();
    status.textContent = response.ok ? `Total: ${Cart.formatCents(body.total_cents)}` : body.error;
  }

  document.addEventListener('DOMContentLoaded', () => {
    const shelf = document.getElementById('products');
    for (const product of products) {
      const button = document.createElement('button');
      button.textContent = `Add ${product.name} (${Cart.formatCents(product.priceCents)})`;
      button.addEventListener('click', () => {
        cart = Cart.addItem(cart, product);
        render();
      });
      shelf.appendChild(button);
    }
    document.getElementById('checkout').addEventListener('click', checkout);
    document.getElementById('version').textContent = `${config.environment} ${config.version}`;
    render();
  });
})();
