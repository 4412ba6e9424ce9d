"""Pure order arithmetic: validation, subtotal, discount, tax and total, in integer cents.

Money is kept in integer cents so that sums never drift; rates are Decimal and the result is rounded
half-up once per order, as the finance team's ledger does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Sales-tax rates by ship-to region; unknown regions are refused rather than taxed at zero.
TAX_RATES: Mapping[str, Decimal] = {
    "US-CA": Decimal("0.0725"),
    "US-NY": Decimal("0.04"),
    "US-OR": Decimal("0"),
    "DE": Decimal("0.19"),
    "FR": Decimal("0.20"),
}

# Coupon code -> percentage off the subtotal.
COUPONS: Mapping[str, Decimal] = {"WELCOME10": Decimal("10"), "VIP25": Decimal("25")}

MAX_QUANTITY = 100
MAX_LINES = 50


class OrderError(ValueError):
    """The order cannot be priced; the message is safe to show to the customer."""


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    unit_price_cents: int

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True)
class Quote:
    subtotal_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int

    def as_dict(self) -> dict[str, int]:
        return {
            "subtotal_cents": self.subtotal_cents,
            "discount_cents": self.discount_cents,
            "tax_cents": self.tax_cents,
            "total_cents": self.total_cents,
        }


def parse_lines(raw_lines: Any) -> list[Line]:
    """Validate the `items` of an order request and turn them into lines."""
    if not isinstance(raw_lines, list) or not raw_lines:
        raise OrderError("an order needs at least one item")
    if len(raw_lines) > MAX_LINES:
        raise OrderError(f"an order holds at most {MAX_LINES} items")
    lines = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            raise OrderError(f"item {index} must be an object")
        sku = raw.get("sku")
        quantity = raw.get("quantity")
        price = raw.get("unit_price_cents")
        if not isinstance(sku, str) or not sku.strip():
            raise OrderError(f"item {index} has no sku")
        if sku in seen:
            raise OrderError(f"sku {sku} appears twice")
        seen.add(sku)
        if not _is_int(quantity) or not 1 <= quantity <= MAX_QUANTITY:
            raise OrderError(f"item {index} quantity must be between 1 and {MAX_QUANTITY}")
        if not _is_int(price) or price < 0:
            raise OrderError(f"item {index} unit_price_cents must be a non-negative integer")
        lines.append(Line(sku, quantity, price))
    return lines


def quote(lines: Iterable[Line], region: str, coupon: str | None = None) -> Quote:
    """Price the lines for a ship-to region, with an optional coupon applied before tax."""
    if region not in TAX_RATES:
        raise OrderError(f"we do not ship to {region}")
    subtotal = sum(line.amount_cents for line in lines)
    discount = 0
    if coupon:
        if coupon not in COUPONS:
            raise OrderError(f"unknown coupon {coupon}")
        discount = _round(Decimal(subtotal) * COUPONS[coupon] / 100)
    taxable = subtotal - discount
    tax = _round(Decimal(taxable) * TAX_RATES[region])
    return Quote(subtotal, discount, tax, taxable + tax)


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
