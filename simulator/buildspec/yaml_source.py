"""Turn YAML text into plain data while remembering where every key and value came from.

Scalars are kept as their source text (or None for an empty/null scalar) instead of being resolved the
YAML 1.1 way, because CodeBuild reads variable values and runtime versions as text: `python: 3.10` must stay
"3.10", not become the float 3.1. The model gives each text its type (bools, integers) field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]

_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class NodeRef:
    """The value node at a location and the key node that introduced it (None for the root and list items)."""

    key: Node | None
    value: Node


@dataclass(frozen=True)
class SourceProblem:
    node: Node
    message: str


@dataclass
class SourceDocument:
    data: object
    nodes: dict[Loc, NodeRef]
    problems: list[SourceProblem] = field(default_factory=list)


class YamlSyntaxError(Exception):
    """The text is not YAML; line and column are 1-based."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def compose(text: str) -> Node | None:
    """Compose one YAML document into a node tree; None for an empty document."""
    # The pure-Python loader, not libyaml: its messages are what the tests and users see, so they must not
    # depend on whether PyYAML was built with libyaml.
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from exc
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise YamlSyntaxError(line, column, f"invalid YAML: character {exc.character!r} is not allowed") from exc


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"invalid YAML: {_one_line(exc.problem or exc.context or 'unreadable text')}"
    if exc.context and exc.problem and exc.problem.startswith("but "):
        # PyYAML splits "expected X but found Y" into context and problem; keep the sentence whole.
        message = f"invalid YAML: {_one_line(exc.context)} {_one_line(exc.problem)}"
    elif exc.context and exc.problem and exc.context_mark:
        where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        message += f" ({_one_line(exc.context)} at {where})"
    if exc.problem == "mapping values are not allowed here":
        # codebuild-semantics §1.7: the usual cause is an unquoted command containing ': '.
        message += "; quote any command or value that contains ': '"
    return YamlSyntaxError(line, column, message)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def to_document(root: Node) -> SourceDocument:
    converter = _Converter()
    data = converter.convert(root, (), None)
    return SourceDocument(data=data, nodes=converter.nodes, problems=converter.problems)


def crumb(loc: Loc) -> str:
    """`phases.build.commands[2]`: how a location is named in messages."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def describe(value: object) -> str:
    """Name the kind of a converted YAML value, for 'must be X, not Y' messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def is_blank(node: Node) -> bool:
    """An implicit null (`key:` with nothing after it) has no text of its own to point at."""
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG and not node.value


class _Converter:
    def __init__(self) -> None:
        self.nodes: dict[Loc, NodeRef] = {}
        self.problems: list[SourceProblem] = []
        self._open: set[int] = set()

    def convert(self, node: Node, loc: Loc, key: Node | None) -> object:
        self.nodes[loc] = NodeRef(key, node)
        if isinstance(node, ScalarNode):
            return None if node.tag == _NULL_TAG else node.value
        if id(node) in self._open:
            self.problems.append(SourceProblem(node, f"{crumb(loc) or 'the document'} refers to itself"))
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(item, (*loc, index), None) for index, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self._mapping(node, loc)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: MappingNode, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        first_keys: dict[str, Node] = {}
        for key_node, value_node in self._explicit_pairs(node, loc):
            name = key_node.value
            if name in first_keys:
                self._duplicate(key_node, loc, first_keys[name])
                continue
            first_keys[name] = key_node
            result[name] = self.convert(value_node, (*loc, name), key_node)
        for key_node, value_node in self._merged_pairs(node, loc):
            if key_node.value not in result:
                result[key_node.value] = self.convert(value_node, (*loc, key_node.value), key_node)
        return result

    def _explicit_pairs(self, node: MappingNode, loc: Loc) -> list[tuple[ScalarNode, Node]]:
        pairs = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            if not isinstance(key_node, ScalarNode):
                where = crumb(loc) or "the top level"
                self.problems.append(SourceProblem(key_node, f"a key in {where} is a {_kind(key_node)}, not text"))
                continue
            pairs.append((key_node, value_node))
        return pairs

    def _merged_pairs(self, node: MappingNode, loc: Loc) -> list[tuple[ScalarNode, Node]]:
        """`<<: *anchor` entries, earlier sources first, as YAML's merge-key rule orders them."""
        pairs: list[tuple[ScalarNode, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self.problems.append(SourceProblem(source, "'<<' must merge a mapping or a list of mappings"))
                    continue
                pairs.extend(self._explicit_pairs(source, loc))
                pairs.extend(self._merged_pairs(source, loc))
        return pairs

    def _duplicate(self, key_node: Node, loc: Loc, first: Node) -> None:
        where = f"in {crumb(loc)}" if loc else "at the top level"
        message = f"duplicate key '{key_node.value}' {where}; the first is at line {first.start_mark.line + 1}"
        self.problems.append(SourceProblem(key_node, message))


def _kind(node: Node) -> str:
    return "list" if isinstance(node, SequenceNode) else "mapping"
