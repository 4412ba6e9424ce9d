"""Composition within limits (issue 5, item 10): alias expansion, nesting depth, tabs, both parsers."""

from __future__ import annotations

import pytest

from simulator.diagnostics import BASE_NODE_BUDGET, MAX_DEPTH, YamlSourceError, compose, to_document, yaml_compose


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request, monkeypatch):
    """Every limit holds whether PyYAML reads the events with libyaml or in Python."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_compose, "_HAVE_LIBYAML", False)
    elif not yaml_compose._HAVE_LIBYAML:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def refusal(text: str) -> tuple[int, int, str]:
    with pytest.raises(YamlSourceError) as caught:
        compose(text)
    return caught.value.line, caught.value.column, caught.value.message


def laughs(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_the_alias_that_crosses_the_budget(parser):
    text = laughs(9)  # 9**9 values once expanded; 492 bytes
    budget = BASE_NODE_BUDGET + len(text)
    assert refusal(text) == (
        5,
        10,
        f"aliases expand the document to more than {budget:,} values; use fewer nested aliases",
    )


def test_the_budget_is_the_base_plus_one_value_per_character(parser):
    # Each `*a` costs the 11 values of `a` ([x, ..., x] and its 10 items); the text is padded to the exact size.
    def document(aliases: int, padding: int) -> str:
        return f"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [{', '.join(['*a'] * aliases)}]\n#{'-' * padding}\n"

    aliases = 2000
    spent = 1 + 1 + 11 + 1 + 1 + 11 * aliases  # the root, key a, a, key b, b, then the aliases
    padding = spent - BASE_NODE_BUDGET - len(document(aliases, 0))
    assert padding > 0
    assert compose(document(aliases, padding)) is not None
    with pytest.raises(YamlSourceError):
        compose(document(aliases, padding - 1))


def test_a_large_document_with_many_aliases_still_loads(parser):
    # The budget grows with the file: 2,000 jobs reusing one anchor each are well within it.
    text = "base: &base {image: ubuntu, size: small}\njobs:\n" + "".join(
        f"  job{n}: {{<<: *base, name: job{n}}}\n" for n in range(2000)
    )
    root = compose(text)
    assert root is not None
    data = to_document(root).data
    assert isinstance(data, dict)
    assert data["jobs"]["job1999"] == {"name": "job1999", "image": "ubuntu", "size": "small"}


def test_nesting_deeper_than_the_limit_is_refused(parser):
    depth = 491
    assert refusal("x: " + "[" * depth + "]" * depth + "\n") == (
        1,
        4 + MAX_DEPTH - 1,
        f"the document nests deeper than {MAX_DEPTH} levels",
    )


def test_nesting_up_to_the_limit_loads(parser):
    depth = MAX_DEPTH - 1  # the root mapping is the first level
    assert compose("x: " + "[" * depth + "]" * depth + "\n") is not None


def test_a_mapping_merged_into_itself_is_a_problem_not_a_recursion(parser):
    root = compose("&a\n<<: *a\n")
    assert root is not None
    document = to_document(root)
    assert document.data == {}
    assert [(p.node.start_mark.line + 1, p.message) for p in document.problems] == [
        (2, "'<<' merges the document into itself")
    ]


def test_a_mapping_merging_the_one_around_it_is_a_problem_not_a_recursion(parser):
    root = compose("a: &a\n  b:\n    <<: *a\n")
    assert root is not None
    assert [p.message for p in to_document(root).problems] == ["a.b.b refers to itself"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: echo a\tb\n", "echo a\tb"),
        ("v: a \t b\n", "a \t b"),
        ("v: [a\tb, c]\n", ["a\tb", "c"]),
        ("v: a\t\n", "a"),  # trailing blanks are never part of a plain scalar
        ("v: a\t# comment\n", "a"),
    ],
)
def test_tabs_inside_plain_scalars_are_accepted(parser, text, value):
    root = compose(text)
    assert root is not None
    assert to_document(root).data == {"v": value}


def test_a_syntax_error_gives_the_pure_python_message_even_with_libyaml(parser):
    # libyaml says "mapping values are not allowed in this context"; users and tests know PyYAML's words.
    assert refusal("a: b: c\n") == (
        1,
        5,
        "invalid YAML: mapping values are not allowed here; quote any command or value that contains ': '",
    )


def test_a_valid_document_is_read_once_by_libyaml(monkeypatch):
    # Issue 5 item 10: the pure-Python parser took 18 s for a 10 MB buildspec; it now only reads again what
    # libyaml refuses, for its messages. Speed itself is measured in bench/validate_size.py.
    if not yaml_compose._HAVE_LIBYAML:
        pytest.skip("PyYAML was built without libyaml")
    readers: list[str] = []
    monkeypatch.setattr(yaml_compose, "_compose_with", lambda loader, budget: readers.append(type(loader).__name__))
    compose("version: 0.2\n")
    assert readers == ["_FastLoader"]
