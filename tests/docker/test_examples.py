"""The sample eCommerce platform (examples/, buildspecs/) built the way its pipeline's Build Dev stage builds it.

The end-to-end test needs Docker and the network the build reaches (PyPI for pytest, Maven Central for the Maven
plugins); it takes about 15 seconds. The validate test needs neither.

The Docker marker is set on the end-to-end test only, rather than as the module's `pytestmark`, so that the
Docker-free validate test also runs where there is no Docker engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, agent_lines, simulator

# Build outputs a developer may have left in the working tree; a clone would not have them either.
LEFTOVERS = shutil.ignore_patterns(
    "target", "dist", "build", "node_modules", ".terraform", "*.tfplan", "__pycache__", ".pytest_cache"
)


def platform_source(destination: Path) -> tuple[Path, str]:
    """buildspecs/ and examples/ as a fresh git repository, as CodeBuild would have cloned them; and its commit."""
    source = destination / "shop"
    shutil.copytree(ROOT / "buildspecs", source / "buildspecs")
    shutil.copytree(ROOT / "examples", source / "examples", ignore=LEFTOVERS)
    quiet = {"capture_output": True, "check": True, "cwd": source}
    subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
    subprocess.run(["git", "add", "-A"], **quiet)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "platform"], **quiet)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], text=True, **quiet).stdout.strip()
    return source, commit


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.docker
def test_dev_buildspec_builds_the_platform_end_to_end(tmp_path):
    source, commit = platform_source(tmp_path)
    summary_path = tmp_path / "summary.json"
    artifacts = tmp_path / "artifacts"

    result = simulator(
        "run",
        "buildspecs/buildspec-dev.yml",
        "--source",
        str(source),
        "--parameters",
        "examples/parameters.yml",
        "--summary-json",
        str(summary_path),
        "--artifacts",
        str(artifacts),
        cwd=source,
    )

    assert result.code == 0, result.stdout[-3000:] + result.stderr
    phases = [line for line in agent_lines(result.stdout) if line.startswith("Phase complete: ")]
    assert phases == [
        f"Phase complete: {phase} State: SUCCEEDED"
        for phase in ("DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS")
    ]
    summary = json.loads(summary_path.read_text())
    assert summary["buildStatus"] == "SUCCEEDED"

    image_tag = commit[:7]
    version = f"1.0.1-{image_tag}"  # the first build of the project "shop"
    assert summary["exportedEnvironmentVariables"] == [
        {"name": "IMAGE_TAG", "value": image_tag},
        {"name": "BUILD_VERSION", "value": version},
        {"name": "FRONTEND_BUCKET", "value": "ecommerce-ai-platform-dev-frontend-us-east-1"},
    ]

    # Primary artifact: the Terraform bundle (base-directory examples/infra).
    assert summary["artifacts"]["name"] == f"infra-dev-{version}"
    assert files_under(artifacts) == [
        "build-info.json",
        "dev.tfplan",
        "env/dev.tfvars",
        "main.tf",
        "outputs.json",
        "outputs.tf",
        "terraform.tfstate",
        "variables.tf",
        "versions.tf",
    ]
    build_info = json.loads((artifacts / "build-info.json").read_text())
    assert {k: build_info[k] for k in ("environment", "version", "image_tag", "commit", "build_succeeded")} == {
        "environment": "dev",
        "version": version,
        "image_tag": image_tag,
        "commit": commit,
        "build_succeeded": True,
    }
    outputs = json.loads((artifacts / "outputs.json").read_text())
    # Applied with local state: the state records the same outputs the plan had.
    state = json.loads((artifacts / "terraform.tfstate").read_text())
    assert {name: entry["value"] for name, entry in state["outputs"].items()} == outputs
    assert outputs["lambda_function_names"] == {
        "inventory": "ecommerce-ai-platform-dev-inventory",
        "orders": "ecommerce-ai-platform-dev-orders",
    }

    secondary = {a["artifactIdentifier"]: Path(a["location"]) for a in summary["secondaryArtifacts"]}
    assert sorted(secondary) == ["frontend", "lambdas"]
    # lambdas: discard-paths flattens the two packages.
    assert files_under(secondary["lambdas"]) == ["inventory.jar", "orders.zip"]
    with zipfile.ZipFile(secondary["lambdas"] / "orders.zip") as package:
        assert sorted(package.namelist()) == [
            "orders/",
            "orders/__init__.py",
            "orders/handler.py",
            "orders/pricing.py",
        ]
    with zipfile.ZipFile(secondary["lambdas"] / "inventory.jar") as jar:
        assert "com/example/shop/inventory/InventoryHandler.class" in jar.namelist()
    # frontend: the contents of dist/.
    assert files_under(secondary["frontend"]) == ["app.js", "index.html", "styles.css"]
    assert "https://api.dev.shop.example.com" in (secondary["frontend"] / "app.js").read_text()

    # The Parameter Store / Secrets Manager values are used, and masked.
    assert "Database user for migrations is ***" in result.lines
    for secret in ("shop_app_dev", "dev-Mysql-pw-4821"):
        assert secret not in result.stdout


def test_the_platform_buildspecs_validate_cleanly():
    buildspecs = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "buildspecs").glob("*.yml"))
    assert buildspecs == ["buildspecs/buildspec-dev.yml", "buildspecs/buildspec-prod.yml"]
    result = simulator("validate", *buildspecs, cwd=ROOT)
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
