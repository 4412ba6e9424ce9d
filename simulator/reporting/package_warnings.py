"""The package's own warnings, outside any build's log (a container that would not go, a leftover not removed):
one masked line each on stderr, through structlog. structlog is imported only when this is configured, which
`validate` and the validate-only pre-push hook never do (their start-up stays free of it)."""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

from simulator.reporting.masking import Masker


def configure_diagnostics(masker: Masker) -> None:
    """The package's own warnings (outside a build's log, e.g. a container that would not go) are one masked
    line on stderr. Builds log through a logger of their own (simulator.reporting.render.build_logger)."""
    import structlog

    structlog.configure(
        processors=[masker, _diagnostic_line],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


def _diagnostic_line(_logger: object, method: str, event_dict: MutableMapping[str, Any]) -> str:
    details = " ".join(f"{key}={value}" for key, value in event_dict.items() if key != "event")
    return f"{method}: {event_dict['event']} {details}".rstrip()
