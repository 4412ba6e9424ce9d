"""The Docker build of the default image: its context, its streamed output, and the host CA helper inside it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from simulator.container.image import build
from simulator.container.image.names import BASE_IMAGE, DEFAULT_IMAGE
from simulator.errors import EnvironmentProblem

RUNTIMES = '{"java":["corretto17"],"python":["3.11"],"nodejs":["18"]}'


def test_build_output_is_streamed_and_failures_carry_the_last_lines(tmp_path):
    class Api:
        def build(self, **kwargs):
            assert kwargs["buildargs"] == {"BASE_IMAGE": BASE_IMAGE}
            # The runtimes label comes from the image's Docker-free description, which validate reads.
            assert kwargs["labels"] == {"simulator.runtimes": RUNTIMES}
            assert kwargs["tag"] == DEFAULT_IMAGE
            yield {"stream": "Step 1/2 : FROM base\n ---> abc"}
            yield {"stream": "123\n"}
            yield {"stream": "\x1b[91m+ false\n\x1b[0m"}
            yield {
                "error": "The command '/bin/sh -c set -eux; false' returned a non-zero code: 1",
                "errorDetail": {"code": 1},
            }

    class Client:
        api = Api()

    lines: list[str] = []
    with pytest.raises(EnvironmentProblem) as caught:
        build.docker_build(Client(), tmp_path, lines.append)
    assert lines == ["Step 1/2 : FROM base", " ---> abc123", "+ false"]
    assert str(caught.value) == (
        "Building simulator/codebuild-standard:7.0-local failed (a RUN step exited with code 1); fix the "
        "problem shown in the last build lines and run `python -m simulator image build` again:\n"
        "Step 1/2 : FROM base\n ---> abc123\n+ false"
    )


def test_build_context_gets_the_host_bundle_or_an_empty_one(tmp_path):
    bundle = tmp_path / "bundle.crt"
    bundle.write_text("PEM DATA\n")
    with_bundle, without, missing = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for directory in (with_bundle, without, missing):
        directory.mkdir()
    notes: list[str] = []
    build.fill_build_context(with_bundle, bundle, notes.append)
    build.fill_build_context(without, None, notes.append)
    build.fill_build_context(missing, tmp_path / "nope.crt", notes.append)
    assert (with_bundle / "host-ca.crt").read_text() == "PEM DATA\n"
    assert (without / "host-ca.crt").read_text() == ""
    assert (missing / "host-ca.crt").read_text() == ""
    assert {p.name for p in with_bundle.iterdir()} == {"Dockerfile", "add_host_cas.py", "host-ca.crt"}
    assert len(notes) == 1 and notes[0].startswith("No host CA bundle added")


def _load_add_host_cas() -> ModuleType:
    path = build.IMAGEFILES_DIR / "add_host_cas.py"
    spec = importlib.util.spec_from_file_location("add_host_cas", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _self_signed(tmp_path: Path, name: str) -> str:
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert.read_text()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
def test_only_certificates_the_image_lacks_are_added(tmp_path):
    add_host_cas = _load_add_host_cas()
    shared, proxy, other = (_self_signed(tmp_path, n) for n in ("shared", "proxy", "other"))
    host = tmp_path / "host.crt"
    host.write_text(shared + "garbage\n-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n" + proxy + other)
    image = tmp_path / "image.crt"
    image.write_text(shared)
    target = tmp_path / "local"
    assert add_host_cas.main(["add_host_cas.py", str(host), str(image), str(target)]) == 0
    written = sorted(target.iterdir())
    assert [p.name for p in written] == ["simulator-host-ca-001.crt", "simulator-host-ca-002.crt"]
    assert [add_host_cas.certificates(p.read_text()) for p in written] == [
        add_host_cas.certificates(proxy),
        add_host_cas.certificates(other),
    ]
