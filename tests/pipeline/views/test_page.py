"""`pipeline status --html FILE`: one self-contained page of an execution, read back in a real headless Chromium.

The execution is recorded with the real PipelineStore in a fresh state folder (no Docker): stages and actions as
CP §1.5 names their statuses, a gate approved and one rejected as CP §1.12 answers them, output
variables (CP §1.7) and artifacts. Chromium runs with every connection sent to a local proxy that records it: the
page must make none, and a control page with one remote image shows the recorder does see a request.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simulator.codebuild.test_reports import Outcome, ReportSummary
from simulator.pipeline.statuses import ActionStatus, ApprovalStatus, ExecutionStatus, StageStatus
from simulator.pipeline.store import ApprovalResult, PipelineStore
from simulator.pipeline.views.page import execution_page
from simulator.reporting.masking import Masker
from simulator.state import StateFolder
from tests.conftest import simulator
from tests.pipeline.store.conftest import Clock

SECRET = "hunter2"
UNIT_REPORT = ReportSummary(
    "unit",
    "JUNITXML",
    files=1,
    counts={Outcome.PASSED: 12, Outcome.FAILED: 1},
    failed_tests=(f"tests.test_login.test_{SECRET}",),
)


def record_execution(folder: Path) -> str:
    """Source → BuildDev → ApproveDev (approved) → Deploy (skipped) → ApproveProd (rejected): Failed."""
    clock = Clock()
    with PipelineStore(StateFolder(folder / ".simulator"), masker=Masker([SECRET]), clock=clock) as store:
        execution_id = store.start_execution("shop", source_revision="3f2a9c1", variables={"Env": "dev"})

        def stage(name: str, *actions: tuple[str, ActionStatus, dict[str, str]]) -> None:
            store.start_stage(execution_id, name)
            for action, status, outputs in actions:
                ref = store.start_action(execution_id, name, action)
                if action == "UnitTests":
                    store.save_report_summaries(ref, [UNIT_REPORT])
                clock.advance(3)
                artifact = store.artifact_folder(execution_id, f"{action}Output", stage=name, action=action)
                store.finish_action(
                    ref,
                    status,
                    summary=f"{action} ran with token {SECRET} <b>unbolded</b>",
                    output_variables=outputs,
                    output_artifacts={f"{action}Output": artifact},
                )
            store.finish_stage(execution_id, name)

        def gate(name: str, status: ApprovalStatus, by: str, summary: str) -> None:
            store.start_stage(execution_id, name)
            ref = store.start_action(execution_id, name, "Approve", owned=False)
            store.open_gate(ref, custom_data=f"Review {name} & sign", external_link="https://example.test/review/1")
            clock.advance(60)
            store.answer(execution_id, ApprovalResult(status, summary, by))
            if status is ApprovalStatus.APPROVED:
                store.finish_stage(execution_id, name)

        stage("Source", ("Checkout", ActionStatus.SUCCEEDED, {"CommitId": "3f2a9c1", "BranchName": "main"}))
        stage("BuildDev", ("UnitTests", ActionStatus.SUCCEEDED, {}), ("Package", ActionStatus.SUCCEEDED, {}))
        gate("ApproveDev", ApprovalStatus.APPROVED, "alice", "dev looks good")
        stage("Deploy", ("EcsDeploy", ActionStatus.SKIPPED, {}))
        gate("ApproveProd", ApprovalStatus.REJECTED, "bob", "not on a Friday")
        execution = store.execution(execution_id)
    assert execution.status is ExecutionStatus.FAILED  # the rejection failed it (CP §1.12)
    assert [s.status for s in execution.stages][-1] is StageStatus.FAILED
    return execution_id


class Text(HTMLParser):
    """The page's visible text, as a person would read it."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in ("style", "title", "script")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "title", "script")

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.pieces.append(data.strip())


def visible_text(dom: str) -> list[str]:
    parser = Text()
    parser.feed(dom)
    return parser.pieces


class ConnectionRecorder:
    """A proxy that answers nothing: it notes the first line of every connection a browser opens through it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    self.requests.append(connection.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))
                except OSError:
                    self.requests.append("(a connection that sent nothing)")

    def close(self) -> None:
        """The listening thread ends too: closing alone does not wake an `accept` already waiting (Linux), and a
        thread left behind is one test's leftover in every later test's process."""
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


# Chromium's own services, which it calls at start whatever the page (updates, sign-in, network time) and which
# no switch turns off in the new headless mode. Exact names: a page's font from fonts.googleapis.com still counts.
CHROMIUM_OWN_HOSTS = frozenset(
    {
        "update.googleapis.com",
        "accounts.google.com",
        "clients2.google.com",
        "redirector.gvt1.com",
        "optimizationguide-pa.googleapis.com",
        "safebrowsing.googleapis.com",
        "content-autofill.googleapis.com",
    }
)


def page_requests(requests: list[str]) -> list[str]:
    """The requests not from Chromium's own services: `CONNECT host:443 ...` or `GET http://host/... HTTP/1.1`."""
    hosts = [re.sub(r"^\w+ (?:https?://)?([^/:\s]+).*$", r"\1", request) for request in requests]
    return [request for request, host in zip(requests, hosts, strict=True) if host not in CHROMIUM_OWN_HOSTS]


@pytest.fixture
def recorder() -> Iterator[ConnectionRecorder]:
    recording = ConnectionRecorder()
    yield recording
    recording.close()


def dump_dom(page: Path, proxy_port: int, profile: Path) -> str:
    completed = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            # Every request, to anywhere (loopback included), goes to the recorder, which answers none.
            f"--proxy-server=http://127.0.0.1:{proxy_port}",
            "--proxy-bypass-list=<-loopback>",
            # Chromium's own traffic (updates, metrics) is not the page's: switched off so the recorder sees the page's.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--no-first-run",
            "--no-default-browser-check",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.browser
def test_the_page_shows_every_stage_status_and_approval_in_chromium_with_no_request(tmp_path, recorder):
    execution_id = record_execution(tmp_path)
    page = tmp_path / "report" / "execution.html"
    page.parent.mkdir()
    result = simulator("pipeline", "status", execution_id, "--html", str(page), cwd=tmp_path, env={"NO_COLOR": "1"})
    assert result.code == 0, result.stderr
    assert result.lines[0] == f"Execution {execution_id} of shop: Failed"
    assert result.lines[-1] == f"Wrote {page}"
    source = page.read_text()
    # Nothing in the page would load from anywhere: no resource attribute, no CSS url() or @import.
    assert re.findall(r"""\b(?:src|srcset|href|action|data|poster)\s*=|url\(|@import""", source, re.I) == []

    text = visible_text(dump_dom(page, recorder.port, tmp_path / "profile"))

    assert page_requests(recorder.requests) == []
    for stage in ("Source", "BuildDev", "ApproveDev", "Deploy", "ApproveProd"):
        assert stage in text
    statuses = [text[i + 1] for i, piece in enumerate(text) if piece in ("Checkout", "UnitTests", "Package")]
    assert statuses == ["Succeeded", "Succeeded", "Succeeded"]
    assert text[text.index("EcsDeploy") + 1] == "Skipped"
    approvals = [text[i + 1 : i + 3] for i, piece in enumerate(text) if piece == "Approve"]
    assert approvals == [["Succeeded", "1m 00s"], ["Failed", "1m 00s"]]
    answers = [text[i + 1 : i + 8 : 2] for i, piece in enumerate(text) if piece == "Approval"]
    # Status, who, when, summary: the store's clock starts at 22:13:20; each build takes 3 s, each answer 60 s.
    assert answers == [
        ["Approved", "alice", "2023-11-14 22:14:29 UTC", "dev looks good"],
        ["Rejected", "bob", "2023-11-14 22:15:32 UTC", "not on a Friday"],
    ]
    for shown in (
        "Approved by alice: dev looks good",
        "Rejected by bob: not on a Friday",
        "Review ApproveDev & sign",
        "https://example.test/review/1",
        "3f2a9c1",
        "main",
        "CheckoutOutput",
        "EcsDeployOutput",
        "Failed",
    ):
        assert shown in text, shown
    assert "Checkout ran with token *** <b>unbolded</b>" in text  # masked by the store, escaped by the page
    # A build's report summary and its output artifact, under the action (CB §1.8).
    unit = text.index("UnitTests")
    assert text[text.index("Report unit", unit) + 1] == "12 passed, 1 failed (tests.test_login.test_***)"
    assert text[text.index("Output UnitTestsOutput", unit) + 1].endswith("/artifacts/UnitTestsOutput")
    assert not any(SECRET in piece for piece in text)


@pytest.mark.browser
def test_the_recorder_sees_a_page_that_loads_from_the_network(tmp_path, recorder):
    # The control for the test above: without it, an empty list of requests could mean the proxy was never used.
    page = tmp_path / "remote.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.test/pixel.png"></body></html>')
    dump_dom(page, recorder.port, tmp_path / "profile")
    assert [r for r in page_requests(recorder.requests) if "example.test" in r] == [
        "GET http://example.test/pixel.png HTTP/1.1"
    ], recorder.requests


def test_every_text_is_masked_then_escaped(tmp_path):
    # A secret the store did not know when it wrote (added since to the process's masker) is masked on the page.
    execution_id = record_execution(tmp_path)
    with PipelineStore(StateFolder(tmp_path / ".simulator")) as store:
        execution = store.execution(execution_id)
    page = execution_page(execution, Masker(["alice", "3f2a9c1"]), now=datetime.now(UTC))
    assert "alice" not in page and "3f2a9c1" not in page
    assert "Approved by *** at" not in page  # the page lays approvals out as fields, not the terminal's sentence
    assert "<dd>***</dd>" in page  # Answered by
    assert "Review ApproveDev &amp; sign" in page
    assert "&lt;b&gt;unbolded&lt;/b&gt;" in page and "<b>" not in page
    assert "<script" not in page and 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in page
    # The report summary, masked on disk by the store (the failed test's name held the secret), then shown.
    assert "<dt>Report unit</dt><dd>12 passed, 1 failed (tests.test_login.test_***)</dd>" in page


def test_a_page_into_a_missing_folder_is_refused_with_one_sentence_and_nothing_written(tmp_path):
    execution_id = record_execution(tmp_path)
    page = tmp_path / "nowhere" / "execution.html"
    result = simulator("pipeline", "status", execution_id, "--html", str(page), cwd=tmp_path)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == f"error: --html {page}: the folder {page.parent} does not exist.\n"
    assert not page.parent.exists()


def test_a_page_over_an_older_one_replaces_it_whole(tmp_path):
    execution_id = record_execution(tmp_path)
    page = tmp_path / "execution.html"
    page.write_text("old")
    page.chmod(0o600)
    result = simulator("pipeline", "status", execution_id, "--html", str(page), cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert page.read_text().startswith("<!DOCTYPE html>") and page.read_text().endswith("</html>\n")
    assert page.stat().st_mode & 0o777 == 0o600  # write_atomic keeps the file's mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".execution.html")] == []
