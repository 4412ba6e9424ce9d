"""Turn YAML text into one node tree, within limits, or say in one sentence where and why it cannot be read.

Choices:
- Speed: libyaml's parser (when PyYAML was built with it) reads the events, which is where nearly all the time
  goes (a 10 MB buildspec: about 3 s instead of 18 s); our own composer builds the nodes, so the limits below
  hold either way. When libyaml refuses the text, the pure-Python parser reads it again, because its messages
  are the ones users and tests see: they must not depend on how PyYAML was built.
- Tabs: YAML 1.2 allows a tab between the words of a plain scalar (`echo a<TAB>b`), and so do libyaml and
  CodeBuild; PyYAML's own scanner refuses it, so ours lets it through.
- Limits: nesting deeper than MAX_DEPTH (a buildspec needs about 8 levels; a few hundred would end the
  recursive composer in a RecursionError) and aliases that expand the document past a node budget (billion
  laughs) are refused at the offending node. The budget is
  BASE_NODE_BUDGET plus one node per character: a document without aliases can never reach it, and a small
  file can never expand to more than a few thousand nodes past its size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, Event
from yaml.nodes import Node
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser

    _HAVE_LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the pure-Python parser does all the work
    _HAVE_LIBYAML = False

MAX_DEPTH = 100
BASE_NODE_BUDGET = 10_000

_BREAKS = "\0\r\n\x85\u2028\u2029"


class YamlSourceError(Exception):
    """The text cannot become a document; line and column are 1-based.

    `problem` is what went wrong, `hint` (possibly empty) how a buildspec usually gets there, and `message`
    both, as a buildspec's diagnostic says it.
    """

    def __init__(self, line: int, column: int, problem: str, *, hint: str = "", syntax: bool = True) -> None:
        self.line = line
        self.column = column
        self.problem = problem
        self.message = f"invalid YAML: {problem}{hint}" if syntax else f"{problem}{hint}"
        super().__init__(self.message)


class _LimitedComposer(Composer):
    """PyYAML's composer, counting depth and the nodes that aliases would expand to."""

    peek_event: Callable[[], Event]  # from the parser it is mixed with

    def init_limits(self, budget: int) -> None:
        self._budget = budget
        self._depth = 0
        self._expanded = 0
        # The expanded size of each anchored node, so an alias costs what it stands for, without expanding it.
        self._anchored_sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            # An alias to a node still open (`&a [*a]`) costs one: the converter refuses the cycle itself.
            self._spend(self._anchored_sizes.get(id(node), 1), event)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _at(event, f"the document nests deeper than {MAX_DEPTH} levels", syntax=False)
        before = self._expanded
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._spend(1, event)
        if getattr(event, "anchor", None) is not None:
            self._anchored_sizes[id(node)] = self._expanded - before
        return node

    def _spend(self, nodes: int, event: Event) -> None:
        self._expanded += nodes
        if self._expanded > self._budget:
            message = f"aliases expand the document to more than {self._budget:,} values; use fewer nested aliases"
            raise _at(event, message, syntax=False)


class _TolerantTabsLoader(yaml.SafeLoader, _LimitedComposer):
    def scan_plain_spaces(self, indent: int, start_mark: Any) -> list[str] | None:
        length = 0
        while self.peek(length) in " \t":
            length += 1
        blanks = self.prefix(length)
        if "\t" not in blanks:
            return super().scan_plain_spaces(indent, start_mark)
        self.forward(length)
        if self.peek() in _BREAKS:
            # Blanks at the end of a line are never part of the scalar; PyYAML handles the line break.
            return super().scan_plain_spaces(indent, start_mark)
        return [blanks]


if _HAVE_LIBYAML:

    class _FastLoader(_LimitedComposer, CParser, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)


def compose(text: str) -> Node | None:
    """Compose one YAML document into a node tree; None for an empty document."""
    budget = BASE_NODE_BUDGET + len(text)
    if _HAVE_LIBYAML:
        try:
            return _compose_with(_FastLoader(text), budget)
        except yaml.YAMLError:
            pass  # read it again below, for the message users know
    try:
        return _compose_with(_TolerantTabsLoader(text), budget)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from exc
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise YamlSourceError(line, column, f"character {exc.character!r} is not allowed") from exc


def _compose_with(loader: Any, budget: int) -> Node | None:
    loader.init_limits(budget)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _at(event: Event, problem: str, *, syntax: bool) -> YamlSourceError:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return YamlSourceError(line, column, problem, syntax=syntax)


def _syntax_error(exc: yaml.MarkedYAMLError) -> YamlSourceError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = _one_line(exc.problem or exc.context or "unreadable text")
    if exc.context and exc.problem and exc.problem.startswith("but "):
        # PyYAML splits "expected X but found Y" into context and problem; keep the sentence whole.
        problem = f"{_one_line(exc.context)} {_one_line(exc.problem)}"
    elif exc.context and exc.problem and exc.context_mark:
        where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        problem += f" ({_one_line(exc.context)} at {where})"
    hint = ""
    if exc.problem == "mapping values are not allowed here":
        # CB §1.7: the usual cause is an unquoted command containing ': '.
        hint = "; quote any command or value that contains ': '"
    return YamlSourceError(line, column, problem, hint=hint)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
