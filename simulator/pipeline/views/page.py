"""An execution as one self-contained HTML page (`pipeline status --html FILE`), like the console's execution view.

Self-contained means nothing is fetched when it opens: the style is inline, there is no script, font or image,
and a Content-Security-Policy of `default-src 'none'` tells the browser to refuse anything a future edit might
add. Links the pipeline itself names (an approval's ExternalEntityLink) are shown as text, not as links, so
even a click does not leave the machine unasked.

Every text is masked (the store masked its values already; a secret added since, or one in a name, is masked
here too) and then escaped, in that order, so the mask cannot be split by an entity.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from simulator.codebuild.test_reports import FAILED_NAMES_KEPT, outcome_text
from simulator.errors import InputError
from simulator.pipeline.store.snapshots import ActionExecution, Approval, Execution, StageExecution
from simulator.pipeline.views.status import MARKS, took_text
from simulator.reporting.masking import Masker
from simulator.state import write_atomic

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #16191f; background: #f2f3f3; }
h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.5em 0 .5em; }
.meta, .muted { color: #5f6b7a; } code { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; }
.chain { display: flex; flex-direction: column; align-items: flex-start; }
.stage { background: #fff; border: 1px solid #d1d5db; border-radius: 8px; padding: .8em 1em; min-width: 40em; }
.arrow { margin: .2em 0 .2em 2em; color: #5f6b7a; }
.stage > header { font-weight: 600; display: flex; gap: .8em; align-items: baseline; }
.action { border-top: 1px solid #eaeded; padding: .5em 0; }
.action > div:first-child { display: flex; gap: .8em; align-items: baseline; }
.status { font-weight: 600; padding: 0 .4em; border-radius: 4px; }
.Succeeded { color: #037f0c; } .Failed { color: #d91515; } .InProgress, .Stopping { color: #8d6605; }
.Skipped, .Abandoned, .Cancelled, .Stopped, .Superseded { color: #5f6b7a; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0 0 1.6em; }
dt { color: #5f6b7a; } dd { margin: 0; }
table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #d1d5db; padding: .3em .6em; }
th { text-align: left; background: #fafafa; }
"""


def execution_page(execution: Execution, masker: Masker, *, now: datetime) -> str:
    text = _Text(masker)
    title = text(f"{execution.pipeline} · execution {execution.id}")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            f"<title>{title}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            *_header(execution, text, now),
            '<h2>Stages</h2>\n<div class="chain">',
            '\n<div class="arrow">▼</div>\n'.join(_stage(stage, text, now) for stage in execution.stages)
            or '<p class="muted">No stage entered yet.</p>',
            "</div>",
            *_variables(execution.variables, text),
            *_artifacts(execution, text),
            "</body>",
            "</html>",
            "",
        ]
    )


def write_page(path: Path, page: str) -> None:
    """Whole or not at all (a reader never sees half a page); a folder that is not there is the user's mistake."""
    if path.is_dir():
        raise InputError(f"--html {path} is a folder: name a file to write the page to.")
    if not path.parent.is_dir():
        raise InputError(f"--html {path}: the folder {path.parent} does not exist.")
    try:
        write_atomic(path, page)
    except PermissionError as error:
        raise InputError(f"--html {path} cannot be written here: {error.strerror}.") from error


class _Text:
    """Masked, then escaped: the only way a text gets into the page."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker

    def __call__(self, value: object) -> str:
        return html.escape(self.masker.mask(str(value)))


def _header(execution: Execution, text: _Text, now: datetime) -> list[str]:
    took = took_text(execution.started_at, execution.ended_at, now)
    rows = {
        "Started": _time(execution.started_at),
        "Ended": _time(execution.ended_at) if execution.ended_at else "not yet",
        "Duration": took,
        "Trigger": execution.trigger,
        "Source revision": execution.source_revision or "-",
        "Execution mode": execution.mode,
    }
    lines = [
        f"<h1>{text(execution.pipeline)}</h1>",
        f'<div class="meta">Execution <code>{text(execution.id)}</code> {_status(execution.status, text)}</div>',
    ]
    if execution.status_reason:
        lines.append(f'<p class="reason">{text(execution.status_reason)}</p>')
    lines.append(_definitions(rows, text))
    return lines


def _stage(stage: StageExecution, text: _Text, now: datetime) -> str:
    took = took_text(stage.started_at, stage.ended_at, now)
    parts = [
        f'<section class="stage" id="stage-{text(stage.name)}">',
        f"<header><span>{text(stage.name)}</span>{_status(stage.status, text)}"
        f'<span class="muted">{text(took)}</span></header>',
        *(_action(action, text, now) for action in stage.actions),
        "</section>",
    ]
    return "\n".join(parts)


def _action(action: ActionExecution, text: _Text, now: datetime) -> str:
    details: dict[str, str] = {
        "Started": _time(action.started_at),
        "Ended": _time(action.ended_at) if action.ended_at else "still running",
    }
    if action.attempt > 1:
        details["Attempt"] = str(action.attempt)
    if action.summary:
        details["Summary"] = action.summary
    if action.error and action.error != action.summary:
        details["Error"] = action.error
    if action.external_execution_id and action.approval is None:
        details["Build id"] = action.external_execution_id
    if action.approval is not None:
        details.update(_approval(action.approval))
    details.update({f"Variable {name}": value for name, value in action.output_variables.items()})
    details.update({f"Report {r.group}": outcome_text(r, names_shown=FAILED_NAMES_KEPT) for r in action.reports})
    details.update({f"Input {name}": str(folder) for name, folder in action.input_artifacts.items()})
    details.update({f"Output {name}": str(folder) for name, folder in action.output_artifacts.items()})
    mark = MARKS.get(action.status, "?")
    took = took_text(action.started_at, action.ended_at, now)
    return "\n".join(
        [
            '<div class="action">',
            f'<div><span class="{text(action.status)}">{mark}</span><span>{text(action.name)}</span>'
            f'{_status(action.status, text)}<span class="muted">{text(took)}</span></div>',
            _definitions(details, text),
            "</div>",
        ]
    )


def _approval(approval: Approval) -> dict[str, str]:
    rows = {"Approval": str(approval.status)}
    if approval.answered_by:
        rows["Answered by"] = approval.answered_by
    if approval.answered_at:
        rows["Answered at"] = _time(approval.answered_at)
    if approval.summary:
        rows["Approval summary"] = approval.summary
    if approval.custom_data:
        rows["CustomData"] = approval.custom_data
    if approval.external_link:
        rows["ExternalEntityLink"] = approval.external_link
    rows["Expires"] = _time(approval.expires_at)
    return rows


def _variables(variables: Mapping[str, str], text: _Text) -> list[str]:
    if not variables:
        return []
    return ["<h2>Pipeline variables</h2>", _definitions(variables, text)]


def _artifacts(execution: Execution, text: _Text) -> list[str]:
    if not execution.artifacts:
        return []
    rows = (
        f"<tr><td>{text(name)}</td><td><code>{text(folder)}</code></td></tr>"
        for name, folder in sorted(execution.artifacts.items())
    )
    return ["<h2>Artifacts</h2>", "<table><tr><th>Name</th><th>Folder</th></tr>", *rows, "</table>"]


def _definitions(rows: Mapping[str, object], text: _Text) -> str:
    items: Iterable[str] = (f"<dt>{text(term)}</dt><dd>{text(value)}</dd>" for term, value in rows.items())
    return "<dl>" + "".join(items) + "</dl>"


def _status(status: object, text: _Text) -> str:
    return f'<span class="status {text(status)}">{text(status)}</span>'


def _time(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S %Z}".strip()
