"""How the simulator marks the Docker objects it creates (labels, container names), and which of them are leftovers:
objects whose owner process is gone."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

MANAGED_LABEL = "simulator.managed"
BUILD_LABEL = "simulator.build-id"
# Who owns a container: a container whose owner process is gone is a leftover; one whose owner runs is a build.
OWNER_PID_LABEL = "simulator.owner-pid"
OWNER_HOST_LABEL = "simulator.owner-host"


def owner_labels() -> dict[str, str]:
    return {OWNER_PID_LABEL: str(os.getpid()), OWNER_HOST_LABEL: socket.gethostname()}


def is_leftover(labels: Mapping[str, str], *, include_other_hosts: bool = False) -> bool:
    """True when the process that created the object is gone (or, if asked, when it ran on another host)."""
    if labels.get(OWNER_HOST_LABEL) != socket.gethostname():
        return include_other_hosts
    try:
        os.kill(int(labels.get(OWNER_PID_LABEL, "")), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError):
        return not labels.get(OWNER_PID_LABEL, "").isdigit()
    return False


def container_name(build_id: str) -> str:
    project, _, unique = build_id.partition(":")
    safe = "".join(c if c.isalnum() or c in "_.-" else "-" for c in project)[:40].strip("-.") or "build"
    return f"simulator-{safe}-{unique[:12]}"
