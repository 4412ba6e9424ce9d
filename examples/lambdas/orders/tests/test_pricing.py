from __future__ import annotations

import pytest
from orders.pricing import Line, OrderError, parse_lines, quote


def test_quote_applies_coupon_before_tax_and_rounds_half_up() -> None:
    lines = [Line("TSHIRT-M", 2, 1999), Line("MUG", 1, 1250)]  # 5248 cents
    result = quote(lines, "US-CA", "WELCOME10")
    assert result.subtotal_cents == 5248
    assert result.discount_cents == 525  # 524.8 -> 525
    assert result.tax_cents == 342  # 4723 * 7.25% = 342.4175
    assert result.total_cents == 4723 + 342


def test_quote_without_coupon_in_a_tax_free_region() -> None:
    assert quote([Line("BOOK", 3, 1000)], "US-OR").as_dict() == {
        "subtotal_cents": 3000,
        "discount_cents": 0,
        "tax_cents": 0,
        "total_cents": 3000,
    }


@pytest.mark.parametrize(
    ("region", "coupon", "message"),
    [("MARS", None, "we do not ship to MARS"), ("DE", "FREEBIE", "unknown coupon FREEBIE")],
)
def test_quote_refuses_unknown_regions_and_coupons(region: str, coupon: str | None, message: str) -> None:
    with pytest.raises(OrderError, match=message):
        quote([Line("BOOK", 1, 1000)], region, coupon)


def test_parse_lines_accepts_a_valid_order() -> None:
    assert parse_lines([{"sku": "MUG", "quantity": 2, "unit_price_cents": 1250}]) == [Line("MUG", 2, 1250)]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one item"),
        (None, "at least one item"),
        (["MUG"], "item 0 must be an object"),
        ([{"quantity": 1, "unit_price_cents": 1}], "item 0 has no sku"),
        ([{"sku": "MUG", "quantity": 0, "unit_price_cents": 1}], "quantity must be between 1 and 100"),
        ([{"sku": "MUG", "quantity": True, "unit_price_cents": 1}], "quantity must be between 1 and 100"),
        ([{"sku": "MUG", "quantity": 1, "unit_price_cents": -5}], "unit_price_cents must be a non-negative"),
        ([{"sku": "MUG", "quantity": 1, "unit_price_cents": 1}] * 2, "sku MUG appears twice"),
    ],
)
def test_parse_lines_rejects_bad_items(items: object, message: str) -> None:
    with pytest.raises(OrderError, match=message):
        parse_lines(items)
