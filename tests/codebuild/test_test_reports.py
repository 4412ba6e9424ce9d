"""Test report summaries, one fixture folder per case under tests/fixtures/report_files (the files a build saved for
one report group). The formats and the default JUNITXML are CB §1.8's `reports.file-format`."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.codebuild.test_reports import Outcome, ReportSummary, summarise, summary_text

FOLDERS = Path(__file__).parent.parent / "fixtures" / "report_files"
P, F, E, S = Outcome.PASSED, Outcome.FAILED, Outcome.ERRORED, Outcome.SKIPPED

CASES = [
    pytest.param("passing", "JUNITXML", {P: 2}, (), (), "unit 2 passed", id="passing"),
    pytest.param(
        "failing",
        "JUNITXML",
        {P: 2, F: 1},
        ("tests.test_cart.test_total",),
        (),
        "unit 2 passed, 1 failed (tests.test_cart.test_total)",
        id="failing, under a <testsuites> root",
    ),
    pytest.param("skipped", "JUNITXML", {P: 1, S: 1}, (), (), "unit 1 passed, 1 skipped", id="skipped"),
    pytest.param(
        "errored",
        "JUNITXML",
        {F: 1, E: 1},
        ("tests.test_db.test_connect", "test_without_class"),
        (),
        "unit 1 failed, 1 errored (tests.test_db.test_connect, test_without_class)",
        id="errored, and a test case with no class",
    ),
    pytest.param(
        "malformed",
        "JUNITXML",
        {P: 1},
        (),
        ("report.xml is not valid XML (line 3, column 3).",),
        "unit 1 passed; report.xml is not valid XML (line 3, column 3).",
        id="a malformed file beside a good one",
    ),
    pytest.param(
        "empty", "JUNITXML", {}, (), ("report.xml is empty.",), "unit: report.xml is empty.", id="an empty file"
    ),
    pytest.param(
        "nested_testsuites",
        "junitxml",
        {P: 2, F: 1, S: 1},
        ("api.orders.OrderTest.cancels",),
        (),
        "unit 2 passed, 1 failed, 1 skipped (api.orders.OrderTest.cancels)",
        id="nested testsuites in files in subfolders; the format in any case",
    ),
    pytest.param(
        "wrong_root",
        "JUNITXML",
        {},
        (),
        ("index.html is not a JUnit XML report (its root element is <html>).",),
        "unit: index.html is not a JUnit XML report (its root element is <html>).",
        id="XML that is not a JUnit report",
    ),
    pytest.param(
        "nunit3",
        "NUNIT3XML",
        {P: 1, F: 1, E: 1, S: 1},
        ("Shop.Tests.CartTests.Totals", "Shop.Tests.DbTests.Connects"),
        (),
        "unit 1 passed, 1 failed, 1 errored, 1 skipped (Shop.Tests.CartTests.Totals, Shop.Tests.DbTests.Connects)",
        id="NUnit 3",
    ),
    pytest.param(
        "nunit2",
        "NUNITXML",
        {P: 1, F: 1, E: 1, S: 1},
        ("Shop.Tests.CartTests.Totals", "Shop.Tests.DbTests.Connects"),
        (),
        "unit 1 passed, 1 failed, 1 errored, 1 skipped (Shop.Tests.CartTests.Totals, Shop.Tests.DbTests.Connects)",
        id="NUnit 2",
    ),
    pytest.param(
        "testng",
        "TESTNGXML",
        {P: 1, F: 1, S: 1},
        ("shop.CartTest.totals",),
        (),
        "unit 1 passed, 1 failed, 1 skipped (shop.CartTest.totals)",
        id="TestNG, its configuration methods not counted",
    ),
    pytest.param(
        "trx",
        "VISUALSTUDIOTRX",
        {P: 1, F: 1, E: 1, S: 1},
        ("Shop.Tests.Totals", "Shop.Tests.Slow"),
        (),
        "unit 1 passed, 1 failed, 1 errored, 1 skipped (Shop.Tests.Totals, Shop.Tests.Slow)",
        id="Visual Studio TRX, in its namespace",
    ),
    pytest.param(
        "passing",
        "CLOVERXML",
        {},
        (),
        ("CLOVERXML reports are not summed up locally.",),
        "unit: CLOVERXML reports are not summed up locally.",
        id="a coverage format",
    ),
]


@pytest.mark.parametrize(("folder", "file_format", "counts", "failed", "problems", "line"), CASES)
def test_a_report_group_is_summed_up(folder, file_format, counts, failed, problems, line):
    summary = summarise("unit", file_format, FOLDERS / folder)
    assert (dict(summary.counts), summary.failed_tests, summary.more_failed, summary.problems) == (
        counts,
        failed,
        0,
        problems,
    )
    assert summary_text(summary) == line


def test_failed_tests_are_named_up_to_ten_and_the_rest_counted():
    summary = summarise("unit", "JUNITXML", FOLDERS / "many_failures")
    assert summary.failed_tests == tuple(f"tests.test_many.test_{i:02d}" for i in range(10))
    assert (summary.more_failed, summary.total) == (3, 14)
    assert summary_text(summary) == (
        "unit 1 passed, 13 failed (tests.test_many.test_00, tests.test_many.test_01, tests.test_many.test_02"
        " and 10 more)"
    )


def test_a_file_past_the_size_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr("simulator.codebuild.test_reports.MAX_FILE_BYTES", 10)
    (tmp_path / "big.xml").write_text("<testsuite><testcase name='a'/></testsuite>")
    summary = summarise("unit", "JUNITXML", tmp_path)
    assert summary.problems == ("big.xml has 43 bytes, more than the 10 a report is read up to.",)


def test_entities_that_expand_without_end_are_refused_as_a_sentence(tmp_path):
    # The "billion laughs": expat's amplification limit stops it; the summary says so and nothing is raised.
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    (tmp_path / "laughs.xml").write_text(f'<!DOCTYPE t [<!ENTITY e0 "ha">{entities}]><testsuite>&e9;</testsuite>')
    summary = summarise("unit", "JUNITXML", tmp_path)
    assert summary.total == 0
    assert len(summary.problems) == 1 and summary.problems[0].startswith("laughs.xml is not valid XML (line 1,")


def test_a_summary_reads_back_from_its_json_as_it_was():
    summary = summarise("unit", "JUNITXML", FOLDERS / "errored")
    assert ReportSummary.from_json(summary.to_json()) == summary
    assert summary.to_json() == {
        "group": "unit",
        "fileFormat": "JUNITXML",
        "files": 1,
        "total": 2,
        "passed": 0,
        "failed": 1,
        "errored": 1,
        "skipped": 0,
        "failedTests": ["tests.test_db.test_connect", "test_without_class"],
        "moreFailed": 0,
        "problems": [],
    }


def test_a_link_among_the_report_files_is_not_followed(tmp_path):
    outside = tmp_path / "outside.xml"
    outside.write_text("<testsuite><testcase classname='host' name='secret'><failure/></testcase></testsuite>")
    saved = tmp_path / "reports"
    saved.mkdir()
    (saved / "link.xml").symlink_to(outside)
    (saved / "own.xml").write_text("<testsuite><testcase classname='t' name='ok'/></testsuite>")
    summary = summarise("unit", "JUNITXML", saved)
    assert (summary.files, dict(summary.counts), summary.failed_tests) == (1, {Outcome.PASSED: 1}, ())
