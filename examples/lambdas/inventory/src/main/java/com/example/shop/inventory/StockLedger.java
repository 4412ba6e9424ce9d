package com.example.shop.inventory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stock levels per SKU, with reservations taken at checkout. Pure: no I/O, so it is unit-tested directly.
 */
public final class StockLedger {

    /** Below this many available units a SKU is reported as low on stock. */
    public static final int LOW_STOCK_THRESHOLD = 5;

    private final Map<String, Integer> onHand = new LinkedHashMap<>();
    private final Map<String, Integer> reserved = new LinkedHashMap<>();

    public StockLedger(Map<String, Integer> initialStock) {
        Objects.requireNonNull(initialStock, "initialStock");
        initialStock.forEach((sku, quantity) -> {
            if (quantity == null || quantity < 0) {
                throw new IllegalArgumentException("stock of " + sku + " must be zero or more");
            }
            onHand.put(sku, quantity);
        });
    }

    /** Units that can still be sold: on hand minus what open orders have reserved. */
    public int available(String sku) {
        return onHand.getOrDefault(sku, 0) - reserved.getOrDefault(sku, 0);
    }

    /** Reserves units for an order; refuses the whole request if it cannot be met. */
    public void reserve(String sku, int quantity) {
        if (quantity <= 0) {
            throw new IllegalArgumentException("quantity must be positive");
        }
        if (!onHand.containsKey(sku)) {
            throw new IllegalArgumentException("unknown sku " + sku);
        }
        if (available(sku) < quantity) {
            throw new InsufficientStockException(sku, quantity, available(sku));
        }
        reserved.merge(sku, quantity, Integer::sum);
    }

    public boolean isLow(String sku) {
        return available(sku) < LOW_STOCK_THRESHOLD;
    }

    /** Available units per SKU, in the order the SKUs were first stocked. */
    public Map<String, Integer> snapshot() {
        Map<String, Integer> view = new LinkedHashMap<>();
        onHand.keySet().forEach(sku -> view.put(sku, available(sku)));
        return Collections.unmodifiableMap(view);
    }

    /** Thrown when an order asks for more units than are available. */
    public static final class InsufficientStockException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InsufficientStockException(String sku, int requested, int available) {
            super("only " + available + " of " + sku + " available, " + requested + " requested");
        }
    }
}
