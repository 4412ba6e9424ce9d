"""A build's test reports, summed up per report group: how many test cases passed, failed, errored and were skipped,
and which failed, named `class.name` (CB §1.8: the `reports` section and its `file-format`s).

Pure: it reads the files a build saved for a report group and returns a summary. The files are the user's own build
output, so the stdlib XML parser is enough; a file too big, empty or not valid XML becomes a sentence in the
summary's `problems`, never an exception, so a broken report cannot fail the action that made it.

The test formats CodeBuild documents that are XML are read: JUNITXML (the default), NUNITXML (NUnit 2), NUNIT3XML,
TESTNGXML and VISUALSTUDIOTRX. CUCUMBERJSON and the coverage formats are not summed up: their summary says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 32 * 1024 * 1024  # a test report is rarely more than a few MB; past this it is not read at all
FAILED_NAMES_KEPT = 10  # a summary names this many failed tests; the rest are counted


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CaseResult:
    name: str
    outcome: Outcome


@dataclass(frozen=True)
class ReportSummary:
    group: str
    file_format: str
    files: int = 0
    counts: Mapping[Outcome, int] = field(default_factory=dict)
    failed_tests: tuple[str, ...] = ()  # the first FAILED_NAMES_KEPT failed or errored test cases, as class.name
    more_failed: int = 0  # failed or errored ones beyond those named
    problems: tuple[str, ...] = ()  # one sentence per file that could not be read, or why nothing was

    def count(self, outcome: Outcome) -> int:
        return self.counts.get(outcome, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "fileFormat": self.file_format,
            "files": self.files,
            "total": self.total,
            **{str(outcome): self.count(outcome) for outcome in Outcome},
            "failedTests": list(self.failed_tests),
            "moreFailed": self.more_failed,
            "problems": list(self.problems),
        }

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> ReportSummary:
        return cls(
            group=str(record["group"]),
            file_format=str(record["fileFormat"]),
            files=int(record["files"]),
            counts={outcome: int(record[str(outcome)]) for outcome in Outcome if record.get(str(outcome))},
            failed_tests=tuple(str(name) for name in record["failedTests"]),
            more_failed=int(record["moreFailed"]),
            problems=tuple(str(problem) for problem in record["problems"]),
        )


def summarise(group: str, file_format: str, folder: Path) -> ReportSummary:
    """Every file under `folder` (the files the build saved for the group), read as `file_format`."""
    reader = _READERS.get(file_format.upper())
    if reader is None:
        return ReportSummary(group, file_format, problems=(f"{file_format} reports are not summed up locally.",))
    try:
        files = _report_files(folder)
    except OSError as error:
        return ReportSummary(group, file_format, problems=(f"the report files could not be listed ({error}).",))
    cases: list[CaseResult] = []
    problems: list[str] = []
    for path in files:
        try:
            cases += reader(_root(path))
        except _Unreadable as problem:
            problems.append(f"{path.relative_to(folder)} {problem}")
    if not files:
        problems.append("no report files were saved.")
    return _summary(group, file_format, len(files), cases, problems)


def _report_files(folder: Path) -> list[Path]:
    # A link is not followed: the folder holds a build's output, and a link in it may name any file of the host.
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def summary_text(summary: ReportSummary, *, names_shown: int = 3) -> str:
    """`unit 12 passed, 1 failed (tests.test_cart.test_total)`: one line for a terminal."""
    separator = " " if summary.total or not summary.problems else ": "
    return summary.group + separator + outcome_text(summary, names_shown=names_shown)


def outcome_text(summary: ReportSummary, *, names_shown: int = 3) -> str:
    """`12 passed, 1 failed (tests.test_cart.test_total)`; the failed tests past `names_shown` are counted."""
    counts = [f"{summary.count(outcome)} {outcome}" for outcome in Outcome if summary.count(outcome)]
    parts = [", ".join(counts)] if counts else [] if summary.problems else ["no test cases"]
    failing = _failing_names(summary, names_shown)
    if failing:
        parts[0] += f" ({failing})"
    if summary.problems:
        others = len(summary.problems) - 1
        parts.append(summary.problems[0] + (f" (and {others} more)" if others else ""))
    return "; ".join(parts)


def _failing_names(summary: ReportSummary, shown: int) -> str:
    names = list(summary.failed_tests[:shown])
    hidden = len(summary.failed_tests) - len(names) + summary.more_failed
    return ", ".join(names) + (f" and {hidden} more" if hidden else "")


def _summary(group: str, file_format: str, files: int, cases: list[CaseResult], problems: list[str]) -> ReportSummary:
    counts: dict[Outcome, int] = {}
    for case in cases:
        counts[case.outcome] = counts.get(case.outcome, 0) + 1
    failing = [case.name for case in cases if case.outcome in (Outcome.FAILED, Outcome.ERRORED)]
    return ReportSummary(
        group,
        file_format,
        files,
        counts,
        tuple(failing[:FAILED_NAMES_KEPT]),
        max(len(failing) - FAILED_NAMES_KEPT, 0),
        tuple(problems),
    )


class _Unreadable(Exception):
    """Why one report file gives no test cases: its message is the sentence the summary keeps."""


def _root(path: Path) -> ElementTree.Element:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise _Unreadable(f"could not be read ({error.strerror}).") from None
    if size == 0:
        raise _Unreadable("is empty.")
    if size > MAX_FILE_BYTES:
        raise _Unreadable(f"has {size} bytes, more than the {MAX_FILE_BYTES} a report is read up to.")
    try:
        return ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        line, column = error.position
        raise _Unreadable(f"is not valid XML (line {line}, column {column + 1}).") from None
    except (OSError, ValueError) as error:  # unreadable, or a parser limit such as an entity expanding too far
        raise _Unreadable(f"could not be read ({error}).") from None


def _local(tag: str) -> str:
    """A tag without its namespace: TRX files put every element in one."""
    return tag.rsplit("}", 1)[-1]


def _elements(root: ElementTree.Element, name: str) -> Iterator[ElementTree.Element]:
    return (element for element in root.iter() if isinstance(element.tag, str) and _local(element.tag) == name)


def _expect_root(root: ElementTree.Element, names: Iterable[str], what: str) -> None:
    if _local(root.tag) not in names:
        raise _Unreadable(f"is not a {what} report (its root element is <{_local(root.tag)}>).")


def _child_names(element: ElementTree.Element) -> set[str]:
    return {_local(child.tag) for child in element if isinstance(child.tag, str)}


# A test case's first child of these says how it ended (a <failure> with an <error> beside it failed).
_JUNIT_MARKS = (("failure", Outcome.FAILED), ("error", Outcome.ERRORED), ("skipped", Outcome.SKIPPED))


def _junit(root: ElementTree.Element) -> list[CaseResult]:
    # Suites may nest (pytest, Maven surefire aggregates); every <testcase> is counted once, wherever it is.
    _expect_root(root, ("testsuites", "testsuite"), "JUnit XML")
    cases = []
    for case in _elements(root, "testcase"):
        children = _child_names(case)
        outcome = next((outcome for child, outcome in _JUNIT_MARKS if child in children), Outcome.PASSED)
        cases.append(CaseResult(_dotted(case.get("classname"), case.get("name")), outcome))
    return cases


_NUNIT3_OUTCOMES = {"Passed": Outcome.PASSED, "Failed": Outcome.FAILED, "Skipped": Outcome.SKIPPED}


def _nunit3(root: ElementTree.Element) -> list[CaseResult]:
    _expect_root(root, ("test-run", "test-suite"), "NUnit 3")
    cases = []
    for case in _elements(root, "test-case"):
        outcome = _NUNIT3_OUTCOMES.get(case.get("result", ""), Outcome.SKIPPED)  # Inconclusive, Warning: not run
        if outcome is Outcome.FAILED and case.get("label") in ("Error", "Cancelled", "Invalid"):
            outcome = Outcome.ERRORED
        cases.append(CaseResult(case.get("fullname") or case.get("name") or "", outcome))
    return cases


_NUNIT2_OUTCOMES = {"Success": Outcome.PASSED, "Failure": Outcome.FAILED, "Error": Outcome.ERRORED}


def _nunit2(root: ElementTree.Element) -> list[CaseResult]:
    _expect_root(root, ("test-results",), "NUnit 2")
    return [
        CaseResult(case.get("name", ""), _NUNIT2_OUTCOMES.get(case.get("result", ""), Outcome.SKIPPED))
        for case in _elements(root, "test-case")
    ]


_TESTNG_OUTCOMES = {"PASS": Outcome.PASSED, "FAIL": Outcome.FAILED, "SKIP": Outcome.SKIPPED}


def _testng(root: ElementTree.Element) -> list[CaseResult]:
    _expect_root(root, ("testng-results",), "TestNG")
    cases = []
    for test_class in _elements(root, "class"):
        for method in _elements(test_class, "test-method"):
            if method.get("is-config") == "true":  # set-up and tear-down methods are not tests
                continue
            outcome = _TESTNG_OUTCOMES.get(method.get("status", ""), Outcome.ERRORED)
            cases.append(CaseResult(_dotted(test_class.get("name"), method.get("name")), outcome))
    return cases


_TRX_OUTCOMES = {
    "Passed": Outcome.PASSED,
    "Failed": Outcome.FAILED,
    "Error": Outcome.ERRORED,
    "Timeout": Outcome.ERRORED,
}


def _trx(root: ElementTree.Element) -> list[CaseResult]:
    _expect_root(root, ("TestRun",), "Visual Studio TRX")
    return [
        CaseResult(result.get("testName", ""), _TRX_OUTCOMES.get(result.get("outcome", ""), Outcome.SKIPPED))
        for result in _elements(root, "UnitTestResult")
    ]


def _dotted(owner: str | None, name: str | None) -> str:
    return ".".join(part for part in (owner, name) if part)


_READERS: Mapping[str, Callable[[ElementTree.Element], list[CaseResult]]] = {
    "JUNITXML": _junit,
    "NUNITXML": _nunit2,
    "NUNIT3XML": _nunit3,
    "TESTNGXML": _testng,
    "VISUALSTUDIOTRX": _trx,
}
