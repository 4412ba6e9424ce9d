"""The docs inside the repository: no path outside it is cited, every `§` citation names its document (`CB §N` for
docs/codebuild-semantics.md, `CP §N` for docs/codepipeline-semantics.md) and resolves to a heading there, the README
stays a guide, and every relative link points to a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEMANTICS = {"CB": DOCS / "codebuild-semantics.md", "CP": DOCS / "codepipeline-semantics.md"}

HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)*)\.?\s")
LIST_ITEM = re.compile(r"^\s*(\d+)\.\s")
# A citation, with the document named before it when it is: `CB §1.10`, `CP §7 item 4`, a range `CP §1.3-§1.8`.
CITATION = re.compile(r"(?:(?P<doc>CB|CP) )?§(?P<number>\d+(?:\.\d+)*)(?: item (?P<item>\d+))?")
# The end of a range, `CP §1.3-§1.8`: it belongs to the document of the range's start.
RANGE_END = re.compile(r"(?:(CB|CP) )?§\d+(?:\.\d+)*[-\u2013]$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def text_files() -> list[Path]:
    """The code, the tests and their fixtures (a fixture's comments cite sections too), the bench and the docs."""
    files = [p for folder in ("simulator", "tests", "bench") for p in sorted((ROOT / folder).rglob("*.py"))]
    fixtures = [p for pattern in ("*.yml", "*.yaml") for p in sorted((ROOT / "tests" / "fixtures").rglob(pattern))]
    platform = [p for folder in ("buildspecs", "stages", "examples") for p in sorted((ROOT / folder).rglob("*.yml"))]
    return [*files, *fixtures, *platform, ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def sections(path: Path) -> tuple[set[str], dict[str, int]]:
    """A document's numbered headings, and how many numbered list items each section holds."""
    found: set[str] = set()
    items: dict[str, int] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := HEADING.match(line):
            current = m.group(1)
            found.add(current)
        elif current and (m := LIST_ITEM.match(line)):
            items[current] = max(items.get(current, 0), int(m.group(1)))
    return found, items


SECTIONS = {doc: sections(path) for doc, path in SEMANTICS.items()}


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_file_cites_a_path_outside_the_repository():
    forbidden = "shared" + "/" + "reference"
    offenders = [relative(p) for p in text_files()]
    offenders = [name for name in offenders if forbidden in (ROOT / name).read_text(encoding="utf-8")]
    assert offenders == []


def citation_problems(path: Path, name: str | None = None) -> list[str]:
    own = next((doc for doc, semantics in SEMANTICS.items() if semantics == path), None)
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for m in CITATION.finditer(line):
            where = f"{name or relative(path)}:{number}: {m.group(0)}"
            doc = m.group("doc")
            start = RANGE_END.search(line[: m.start()]) if doc is None else None
            if start:
                if start.group(1) is None and own is None:
                    problems.append(f"{where}: the range's start names no document")
                    continue
                doc = start.group(1) or own
            if doc is None:
                if own is None:
                    problems.append(f"{where}: names no document (write CB §N or CP §N)")
                    continue
                doc = own  # a semantics document's own cross-references may stay bare
            headings, items = SECTIONS[doc]
            section = m.group("number")
            if section not in headings:
                problems.append(f"{where}: {doc} has no heading {section}")
            elif m.group("item") and int(m.group("item")) > items.get(section, 0):
                problems.append(f"{where}: {doc} §{section} has no item {m.group('item')}")
    return problems


def test_every_citation_names_its_document_and_resolves_to_a_heading():
    problems = [problem for path in text_files() for problem in citation_problems(path)]
    assert problems == [], f"{len(problems)} citations:\n" + "\n".join(problems)


S = chr(167)  # the section sign, spelt so that these examples are not citations of this file


@pytest.mark.parametrize(
    ("line", "problems"),
    [
        (f"see CB {S}1.10 and CP {S}1.12", 0),
        (f"CP {S}1.3-{S}1.8, CP {S}7 item 4", 0),
        (f"CB {S}9 item 1", 0),
        (f"bare {S}1.10", 1),
        (f"CB {S}1.11", 1),  # CodeBuild's reference has no 1.11
        (f"CP {S}7.4", 1),  # a list item is cited as an item, not as a heading
        (f"CP {S}7 item 99", 1),
        (f"{S}1.2-{S}1.8", 2),
    ],
)
def test_the_citation_check_itself(tmp_path, line, problems):
    path = tmp_path / "example.py"
    path.write_text(f"# {line}\n", encoding="utf-8")
    assert len(citation_problems(path, "example.py")) == problems


def test_the_readme_stays_a_guide():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 300


def test_every_relative_link_points_to_an_existing_file():
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            for target in LINK.findall(line):
                if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue  # a URL, or an anchor on the same page
                file = target.split("#", 1)[0]
                if not (page.parent / file).exists():
                    broken.append(f"{relative(page)}:{number}: {target}")
    assert broken == []
