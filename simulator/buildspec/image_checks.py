"""What a valid buildspec asks of its image: runtimes, users, a shell (CB §1.3, CB §1.4, CB §6.1).

Checked against the image's Docker-free description, so `validate` knows without an engine what DOWNLOAD_SOURCE
would refuse. Choices: a runtime version given as `$VAR` is left alone (its value exists only in the build); an
unknown runtime or version, or a missing user, is an error (the build fails); a shell is a warning either way,
as the issue asks: one CodeBuild does not document for Linux may still work, and a missing one fails the build's
start, which the user sees at once.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.buildspec.loader import LoadedBuildspec
from simulator.container.image.description import ImageDescription
from simulator.container.image.runtimes import RuntimeVersionError, select_runtimes
from simulator.diagnostics import Diagnostic, Loc, Severity, quote, rules

DOCUMENTED_LINUX_SHELLS = ("bash", "/bin/sh")  # CB §1.4


def check_against_image(loaded: LoadedBuildspec, image: ImageDescription, image_name: str) -> list[Diagnostic]:
    checks = _Checks(loaded, image, image_name)
    checks.runtimes()
    checks.users()
    checks.shell()
    return checks.found


class _Checks:
    def __init__(self, loaded: LoadedBuildspec, image: ImageDescription, image_name: str) -> None:
        self.loaded = loaded
        self.image = image
        self.name = image_name
        self.found: list[Diagnostic] = []

    def add(self, loc: Loc, severity: Severity, message: str, rule: str, *, at_key: bool = False) -> None:
        positions = self.loaded.positions
        if positions is None:  # a buildspec built in memory: nothing to point at but the file
            self.found.append(Diagnostic(self.loaded.path, 1, 1, severity, message, rule))
            return
        self.found.append(replace(positions.at(loc, severity, message, at_key=at_key), rule=rule))

    def runtimes(self) -> None:
        install = self.loaded.buildspec.phases.install
        if install is None:
            return
        declared = {name: list(versions) for name, versions in self.image.runtimes.items()}
        for runtime, version in install.runtime_versions.items():
            if version.strip().startswith("$"):
                continue
            try:
                select_runtimes({runtime: version}, declared, {})
            except RuntimeVersionError as error:
                loc = ("phases", "install", "runtime-versions", runtime)
                message = f"{error} ({self.name}); the build would fail in DOWNLOAD_SOURCE with YAML_FILE_ERROR"
                self.add(loc, "error", message, rules.RUNTIME_VERSION, at_key=runtime not in declared)

    def users(self) -> None:
        spec = self.loaded.buildspec
        wanted: list[tuple[Loc, str]] = [(("run-as",), spec.run_as)] if spec.run_as else []
        wanted += [(("phases", name, "run-as"), phase.run_as) for name, phase in spec.phases.ordered() if phase.run_as]
        for loc, user in wanted:
            if user not in self.image.users:
                known = ", ".join(self.image.users)
                message = (
                    f"run-as names the user {quote(user)}, which the image {self.name} does not have (it has {known})"
                    "; the build would fail"
                )
                self.add(loc, "error", message, rules.RUN_AS_USER)

    def shell(self) -> None:
        shell = self.loaded.buildspec.env.shell
        if shell is None:
            return
        if shell not in DOCUMENTED_LINUX_SHELLS:
            message = (
                f"env.shell {quote(shell)} is not a shell CodeBuild documents for Linux "
                f"({', '.join(DOCUMENTED_LINUX_SHELLS)}); it may not work in the cloud"
            )
            self.add(("env", "shell"), "warning", message, rules.SHELL_UNDOCUMENTED)
        if not self.image.has_shell(shell):
            message = f"env.shell {quote(shell)} is not in the image {self.name}; the build could not start its shell"
            self.add(("env", "shell"), "warning", message, rules.SHELL_MISSING)
