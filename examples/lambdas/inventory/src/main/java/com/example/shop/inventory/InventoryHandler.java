package com.example.shop.inventory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AWS Lambda entry point, handler {@code com.example.shop.inventory.InventoryHandler::handleRequest}.
 *
 * <p>The Java runtime can call a plain method taking a {@code Map}: the event JSON is deserialized into it and
 * the returned map is serialized back, so no aws-lambda-java-core dependency is needed.
 *
 * <p>Event: {@code {"stock": {"SKU": 10, ...}, "reserve": [{"sku": "SKU", "quantity": 2}, ...]}}.
 */
public class InventoryHandler {

    public Map<String, Object> handleRequest(Map<String, Object> event) {
        Map<String, Object> response = new LinkedHashMap<>();
        try {
            StockLedger ledger = new StockLedger(toStock(event.get("stock")));
            for (Object item : asList(event.get("reserve"))) {
                Map<?, ?> line = (Map<?, ?>) item;
                ledger.reserve(String.valueOf(line.get("sku")), ((Number) line.get("quantity")).intValue());
            }
            Map<String, Integer> available = ledger.snapshot();
            response.put("status", "RESERVED");
            response.put("available", available);
            response.put("lowStock", available.keySet().stream().filter(ledger::isLow).toList());
        } catch (StockLedger.InsufficientStockException error) {
            response.put("status", "REJECTED");
            response.put("reason", error.getMessage());
        } catch (IllegalArgumentException | ClassCastException | NullPointerException error) {
            response.put("status", "INVALID");
            response.put("reason", String.valueOf(error.getMessage()));
        }
        response.put("environment", System.getenv().getOrDefault("ENVIRONMENT", "local"));
        return response;
    }

    private static Map<String, Integer> toStock(Object raw) {
        Map<String, Integer> stock = new LinkedHashMap<>();
        if (raw instanceof Map<?, ?> map) {
            map.forEach((sku, quantity) -> stock.put(String.valueOf(sku), ((Number) quantity).intValue()));
            return stock;
        }
        throw new IllegalArgumentException("stock must be an object of sku to quantity");
    }

    private static List<?> asList(Object raw) {
        if (raw == null) {
            return List.of();
        }
        if (raw instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException("reserve must be a list");
    }
}
