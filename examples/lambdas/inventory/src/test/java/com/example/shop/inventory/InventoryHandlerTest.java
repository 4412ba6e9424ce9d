package com.example.shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryHandlerTest {

    private final InventoryHandler handler = new InventoryHandler();

    @Test
    void reservesAndReportsLowStock() {
        Map<String, Object> response = handler.handleRequest(Map.of(
                "stock", Map.of("MUG", 12),
                "reserve", List.of(Map.of("sku", "MUG", "quantity", 10))));
        assertEquals("RESERVED", response.get("status"));
        assertEquals(Map.of("MUG", 2), response.get("available"));
        assertEquals(List.of("MUG"), response.get("lowStock"));
    }

    @Test
    void rejectsAnOrderThatCannotBeMet() {
        Map<String, Object> response = handler.handleRequest(Map.of(
                "stock", Map.of("MUG", 1),
                "reserve", List.of(Map.of("sku", "MUG", "quantity", 2))));
        assertEquals("REJECTED", response.get("status"));
        assertEquals("only 1 of MUG available, 2 requested", response.get("reason"));
    }

    @Test
    void reportsAMalformedEventAsInvalid() {
        Map<String, Object> response = handler.handleRequest(Map.of("stock", List.of()));
        assertEquals("INVALID", response.get("status"));
    }
}
