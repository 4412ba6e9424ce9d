"""Validating build files without running them: each buildspec and pipeline file's schema, what a buildspec asks
of its image (runtimes, users, shell) and what a pipeline needs from the buildspecs it runs (outputs, exported
variables). A buildspec is judged against the image of the projects that run it, or `run`'s default image when none
does. `validate` and the pre-push hook both validate through `Validation`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.buildspec import BuildspecError, LoadedBuildspec, load_buildspec
from simulator.container.image.description import describe_image
from simulator.container.image.names import DEFAULT_IMAGE, resolve_image_name
from simulator.diagnostics import Diagnostic, rules
from simulator.errors import InputError
from simulator.pipeline.checked import load_checked, repository_of
from simulator.reporting.masking import Masker

if TYPE_CHECKING:
    from simulator.pipeline.buildspec_checks import UsedBuildspec

# Given the pipelines (read) and the buildspecs found, the buildspecs to validate.
Pick = Callable[[list[Path], list[Path]], list[Path]]


class Validation:
    """The diagnostics of the files validated so far, by file. `parameters` and `pipeline` are the template
    parameters and the pipeline to pick, as `--parameter` and `--pipeline` give them."""

    def __init__(
        self, masker: Masker, parameters: Mapping[str, str] | None = None, pipeline: str | None = None
    ) -> None:
        self.parameters = dict(parameters or {})
        self.pipeline_id = pipeline
        self.by_file_name = False
        self.masker = masker
        self.found: dict[Path, list[Diagnostic]] = {}
        # The buildspecs pipelines run, by file, with the local images of the projects running them.
        self.images: dict[Path, set[str]] = {}
        # The buildspec files each pipeline's CodeBuild actions name (the pre-push hook re-validates a pipeline
        # when one of them changes).
        self.named: dict[Path, set[Path]] = {}

    def files(self, paths: Sequence[Path]) -> None:
        """The files as given, in order: each by its content, a pipeline's buildspecs only for its own checks."""
        from simulator.pipeline.loader import file_kind  # the pipeline package only when validate runs

        for path in paths:
            if file_kind(path) == "other":
                self.buildspec(path)
            else:
                self.pipeline(path)

    def repository(self, root: Path, exclude: Sequence[str], pick: Pick | None = None) -> tuple[list[Path], list[Path]]:
        """Every build file of the repository: the pipelines (all read: they say which buildspecs they run, and
        with which images), then the buildspecs, or those `pick` keeps of them. Returns both lists of paths."""
        from simulator.validation.discovery import discover

        found = discover(root, exclude)
        self.by_file_name = True
        self.project_settings(root)
        pipelines = [_shown(root / relative) for relative in found.pipelines]
        for path in pipelines:
            self.pipeline(path)
        named = [path for path in self.images if path.is_file()]
        buildspecs = _unique([*(_shown(root / relative) for relative in found.buildspecs), *named])
        if pick is not None:
            buildspecs = pick(pipelines, buildspecs)
        for path in buildspecs:
            self.buildspec(path)
        return pipelines, buildspecs

    def project_settings(self, root: Path) -> None:
        """The project's defaults (simulator/config), when the repository has them."""
        from simulator.config.loader import config_files, load_project_config
        from simulator.config.values import ConfigError

        if not config_files(root):
            return
        try:
            found = load_project_config(root).warnings
        except ConfigError as error:
            found = error.diagnostics
        self.add(found, rules.CONFIG_SCHEMA)

    def pipeline(self, path: Path) -> None:
        from simulator.pipeline.buildspec_checks import check_buildspecs, used_buildspecs

        checked = load_checked(path, dict(self.parameters), self.pipeline_id, self.masker)
        self.add(checked.diagnostics, rules.PIPELINE_SCHEMA)
        if checked.pipeline is None:
            return
        used, inline = used_buildspecs(checked.pipeline, _shown(repository_of(path)))
        self.add([*inline, *check_buildspecs(checked.pipeline, used)], rules.PIPELINE_STRUCTURE)
        for one in used:
            self.note_image(one)
            if one.path is not None:
                self.named.setdefault(path, set()).add(one.path)

    def note_image(self, one: UsedBuildspec) -> None:
        """A buildspec file is judged against its projects' images when it is validated; an inline one now."""
        image_name = resolve_image_name(one.project.image)
        if one.path is not None:
            self.images.setdefault(one.path, set()).add(image_name)
            return
        image = describe_image(image_name)
        if one.loaded is not None and image is not None:
            from simulator.buildspec.image_checks import check_against_image
            from simulator.pipeline.buildspec_checks import inline_problem

            problems = check_against_image(one.loaded, image, image_name)
            self.add((inline_problem(one.project, problem) for problem in problems), rules.INLINE_BUILDSPEC)

    def buildspec(self, path: Path) -> None:
        diagnostics, loaded = check(path)
        self.add(diagnostics, rules.BUILDSPEC_SCHEMA)
        if loaded is None:
            return
        from simulator.buildspec.image_checks import check_against_image

        for image_name in sorted(self.images.get(path, {DEFAULT_IMAGE})):
            image = describe_image(image_name)
            if image is not None:
                self.add(check_against_image(loaded, image, image_name), rules.BUILDSPEC_SCHEMA)

    def add(self, diagnostics: Iterable[Diagnostic], fallback_rule: str) -> None:
        for diagnostic in diagnostics:
            ruled = diagnostic if diagnostic.rule else replace(diagnostic, rule=fallback_rule)
            listed = self.found.setdefault(ruled.path, [])
            if ruled not in listed:
                listed.append(ruled)

    def diagnostics(self, *, strict: bool) -> list[Diagnostic]:
        """File by file (in the order given, or by name for a repository), each in line order; with `strict`,
        every warning as an error."""
        files = sorted(self.found.items(), key=lambda item: str(item[0])) if self.by_file_name else self.found.items()
        ordered = [d for _path, listed in files for d in sorted(listed, key=lambda d: (d.line, d.column))]
        if strict:
            return [replace(d, severity="error") for d in ordered]
        return ordered


def check(path: Path) -> tuple[list[Diagnostic], LoadedBuildspec | None]:
    """Every error and warning of one buildspec, in file order (warnings are shown even when there are errors),
    and the buildspec when it is valid."""
    if _missing(path):
        return [Diagnostic(path, 1, 1, "error", "file not found", rules.FILE)], None
    try:
        loaded = load_buildspec(path)
    except BuildspecError as error:
        return sorted((*error.diagnostics, *error.warnings), key=lambda d: (d.line, d.column)), None
    except InputError as error:
        return [Diagnostic(path, 1, 1, "error", str(error), rules.FILE)], None
    return list(loaded.warnings), loaded


def _shown(path: Path) -> Path:
    """A path inside the current folder as relative to it, as a user names files there; others as they are."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return path


def _unique(paths: Iterable[Path]) -> list[Path]:
    return list(dict.fromkeys(paths))


def _missing(path: Path) -> bool:
    try:
        return not path.exists()
    except OSError:
        return False  # the loader says why it cannot be read (a name too long, a loop of links)
