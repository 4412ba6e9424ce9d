from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from orders.handler import lambda_handler


def invoke(body: object) -> tuple[int, dict]:
    raw = body if isinstance(body, str) else json.dumps(body)
    response = lambda_handler({"body": raw}, SimpleNamespace(aws_request_id="req-1"))
    assert response["headers"] == {"Content-Type": "application/json"}
    return response["statusCode"], json.loads(response["body"])


def test_a_valid_order_is_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "test")
    status, body = invoke({"region": "DE", "items": [{"sku": "MUG", "quantity": 1, "unit_price_cents": 1000}]})
    assert status == 200
    assert body == {
        "environment": "test",
        "subtotal_cents": 1000,
        "discount_cents": 0,
        "tax_cents": 190,
        "total_cents": 1190,
    }


def test_an_invalid_order_is_unprocessable() -> None:
    assert invoke({"region": "DE", "items": []}) == (422, {"error": "an order needs at least one item"})


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_a_malformed_body_is_a_bad_request(body: str) -> None:
    status, _ = invoke(body)
    assert status == 400
