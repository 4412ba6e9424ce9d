package com.example.shop.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StockLedgerTest {

    private final StockLedger ledger = new StockLedger(Map.of("MUG", 12, "TSHIRT-M", 3));

    @Test
    void reservationsReduceWhatIsAvailable() {
        ledger.reserve("MUG", 4);
        ledger.reserve("MUG", 2);
        assertEquals(6, ledger.available("MUG"));
        assertFalse(ledger.isLow("MUG"));
    }

    @Test
    void aReservationLargerThanTheStockIsRefusedWhole() {
        StockLedger.InsufficientStockException error =
                assertThrows(StockLedger.InsufficientStockException.class, () -> ledger.reserve("TSHIRT-M", 4));
        assertEquals("only 3 of TSHIRT-M available, 4 requested", error.getMessage());
        assertEquals(3, ledger.available("TSHIRT-M"));
    }

    @Test
    void lowStockIsBelowTheThreshold() {
        assertTrue(ledger.isLow("TSHIRT-M"));
        ledger.reserve("MUG", 8);
        assertTrue(ledger.isLow("MUG"));
    }

    @Test
    void unknownSkusAndBadQuantitiesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ledger.reserve("HAT", 1));
        assertThrows(IllegalArgumentException.class, () -> ledger.reserve("MUG", 0));
        assertThrows(IllegalArgumentException.class, () -> new StockLedger(Map.of("MUG", -1)));
    }
}
