"""Whether a project's `BuildSpec` is the buildspec itself or a path to one (CP §2.1)."""

from __future__ import annotations

from yaml.nodes import MappingNode

from simulator.diagnostics import YamlSourceError, compose


def is_inline(text: str) -> bool:
    """The reference's [inferred] rule: inline when the text reads as a YAML mapping with a `version` key.

    A text of several lines that does not read as YAML is taken as inline too: no path has a line break, and
    the build engine then reports the buildspec's own errors with their lines.
    """
    try:
        root = compose(text)
    except YamlSourceError:
        return "\n" in text.strip()
    if isinstance(root, MappingNode):
        return any(key.value == "version" for key, _ in root.value)
    return "\n" in text.strip()
