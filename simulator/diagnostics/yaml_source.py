"""Turn a YAML node tree into plain data while remembering where every key and value came from.

Scalars are kept as their source text (or None for an empty/null scalar) instead of being resolved the
YAML 1.1 way, because CodeBuild reads variable values and runtime versions as text: `python: 3.10` must stay
"3.10", not become the float 3.1. The model gives each text its type (bools, integers) field by field.

Tags are ignored by default (a buildspec's `!Ref x` reads as the text `x`, as it always has). A caller that
needs them, as CloudFormation's short forms (`!Ref`, `!Sub`, `!GetAtt`...) do, asks for `keep_tags` and gets
each locally tagged node as a Tagged value holding its position; YAML's own tags (`!!str`) are never kept.
Not cfn-flip or cfn-lint (CP §4.2): cfn-flip's plain dicts drop line numbers, cfn-lint
keeps them but weighs about 140 MB, and both resolve scalars the YAML 1.1 way (dates, booleans, octal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.diagnostics.diagnostic import quote

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


@dataclass(frozen=True)
class Tagged:
    """A value written with a local tag, e.g. `!Sub [...]`: the tag as written, the converted value, where."""

    tag: str
    value: object
    line: int
    column: int


def to_document(root: Node, *, keep_tags: bool = False) -> SourceDocument:
    converter = _Converter(keep_tags=keep_tags)
    data = converter.convert(root, (), None)
    return SourceDocument(data=data, nodes=converter.nodes, problems=converter.problems)


def crumb(loc: Loc) -> str:
    """`phases.build.commands[2]`: how a location is named in messages.

    A key holding a control character (a newline, CR or an ANSI escape) is shown quoted, `env.variables['A\\nB']`,
    so it cannot start a line of its own or recolour the terminal.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.isprintable():
            text += f"[{quote(part)}]"
        else:
            text += f".{part}" if text else part
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
    if isinstance(value, Tagged):
        return f"a {quote(value.tag)} value"
    return repr(value)


def is_blank(node: Node) -> bool:
    """An implicit null (`key:` with nothing after it) has no text of its own to point at."""
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG and not node.value


class _Converter:
    def __init__(self, *, keep_tags: bool) -> None:
        self.nodes: dict[Loc, NodeRef] = {}
        self.problems: list[SourceProblem] = []
        self._open: set[int] = set()
        self._keep_tags = keep_tags

    def convert(self, node: Node, loc: Loc, key: Node | None) -> object:
        self.nodes[loc] = NodeRef(key, node)
        value = self._untagged(node, loc)
        if self._keep_tags and node.tag.startswith("!"):
            mark = node.start_mark
            return Tagged(node.tag, value, mark.line + 1, mark.column + 1)
        return value

    def _untagged(self, node: Node, loc: Loc) -> object:
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
        for key_node, value_node in self._merged_pairs(node, loc, frozenset({id(node)})):
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

    def _merged_pairs(self, node: MappingNode, loc: Loc, merging: frozenset[int]) -> list[tuple[ScalarNode, Node]]:
        """`<<: *anchor` entries, earlier sources first, as YAML's merge-key rule orders them.

        `merging` holds the mappings whose merges are being followed, so `&a {<<: *a}` ends instead of recursing.
        """
        pairs: list[tuple[ScalarNode, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self.problems.append(SourceProblem(source, "'<<' must merge a mapping or a list of mappings"))
                elif id(source) in merging:
                    where = crumb(loc) or "the document"
                    self.problems.append(SourceProblem(key_node, f"'<<' merges {where} into itself"))
                else:
                    pairs.extend(self._explicit_pairs(source, loc))
                    pairs.extend(self._merged_pairs(source, loc, merging | {id(source)}))
        return pairs

    def _duplicate(self, key_node: Node, loc: Loc, first: Node) -> None:
        where = f"in {crumb(loc)}" if loc else "at the top level"
        message = f"duplicate key {quote(key_node.value)} {where}; the first is at line {first.start_mark.line + 1}"
        self.problems.append(SourceProblem(key_node, message))


def _kind(node: Node) -> str:
    return "list" if isinstance(node, SequenceNode) else "mapping"
