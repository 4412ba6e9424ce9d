"""AWS Lambda entry point (handler `orders.handler.lambda_handler`) behind an API Gateway proxy integration.

POST /orders/quote with a JSON body {"region": "US-CA", "coupon": "WELCOME10", "items": [...]} answers the
price of the order. No AWS SDK call is needed here, so the package carries no third-party dependency.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from orders.pricing import OrderError, parse_lines, quote

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    try:
        body = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return _response(400, {"error": "the body is not valid JSON"})
    if not isinstance(body, dict):
        return _response(400, {"error": "the body must be a JSON object"})
    try:
        lines = parse_lines(body.get("items"))
        result = quote(lines, str(body.get("region", "")), body.get("coupon"))
    except OrderError as error:
        return _response(422, {"error": str(error)})
    request_id = getattr(context, "aws_request_id", "local")
    logger.info("quoted order request=%s total_cents=%s", request_id, result.total_cents)
    return _response(200, {"environment": os.environ.get("ENVIRONMENT", "local"), **result.as_dict()})


def _response(status: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload, sort_keys=True),
    }
