"""What the local build image holds, known without Docker: its runtimes, users and shells.

`validate` reads this to judge `runtime-versions`, `run-as` and `env.shell` ("parsing never touches Docker"). The
image build stamps the runtimes on the image as its `simulator.runtimes` label (`build.py`), so what `run` reads
from the built image comes from here too; a Docker-tier test checks that the users and shells named here, and the
runtimes' versions, are really in the image.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

from simulator.container.image.names import DEFAULT_IMAGE, resolve_image_name
from simulator.container.image.runtimes import RUNTIMES_LABEL

# The directories of the image's PATH, in order, where a bare shell name (`bash`) is looked up.
_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


@dataclass(frozen=True)
class ImageDescription:
    runtimes: Mapping[str, tuple[str, ...]]
    users: tuple[str, ...]
    shells: tuple[str, ...]  # absolute paths

    def labels(self) -> dict[str, str]:
        """The labels the image build sets: the runtimes as JSON, runtime -> versions (container/image/runtimes.py)."""
        runtimes = {name: list(versions) for name, versions in self.runtimes.items()}
        return {RUNTIMES_LABEL: json.dumps(runtimes, separators=(",", ":"))}

    def has_shell(self, shell: str) -> bool:
        """A path is looked up as written; a bare name along the image's PATH, as the shell would find it."""
        if "/" in shell:
            return str(PurePosixPath(shell)) in self.shells
        return any(f"{folder}/{shell}" in self.shells for folder in _PATH)


# simulator/codebuild-standard:7.0-local (imagefiles/Dockerfile): the 2023 standard:7.0's default runtimes,
# one version each; root and the `codebuild-user` every curated image creates (CB §1.3);
# dash as sh, and bash. Bookworm merges /bin into /usr/bin, so each shell is at both paths.
LOCAL_IMAGE = ImageDescription(
    runtimes=MappingProxyType({"java": ("corretto17",), "python": ("3.11",), "nodejs": ("18",)}),
    users=("root", "codebuild-user"),
    shells=("/bin/sh", "/bin/dash", "/bin/bash", "/usr/bin/sh", "/usr/bin/dash", "/usr/bin/bash"),
)


def describe_image(name: str, image_map: Mapping[str, str] = MappingProxyType({})) -> ImageDescription | None:
    """The description of the image `name` runs in, as `run` resolves it; None for an image only Docker knows."""
    return LOCAL_IMAGE if resolve_image_name(name, image_map) == DEFAULT_IMAGE else None
