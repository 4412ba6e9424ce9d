"""The build's environment variables: CodeBuild's own (CB §4.1), the buildspec's, and the user's overrides (CB §1.4)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.container import staging
from simulator.diagnostics import UnreadableFile, quote, read_text
from simulator.errors import InputError

RESERVED_PREFIX = "CODEBUILD_"
LOCAL_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
SECONDARY_SOURCES_DIR = "secSrc"  # beside `src`, as AWS's local agent lays them out (CB §8)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# What the host knows about reaching registries: carried into the build so it resolves like the host does.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")
CA_BUNDLE_IN_CONTAINER = "/usr/local/share/simulator/host-ca-bundle.crt"
CA_VARIABLES = (
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
    "NODE_EXTRA_CA_CERTS",
    "GIT_SSL_CAINFO",
    "AWS_CA_BUNDLE",
)


@dataclass(frozen=True)
class BuildIdentity:
    project: str
    build_uuid: str
    build_number: int
    start_time_ms: int
    source_dir: str  # inside the container
    image: str
    initiator: str
    region: str
    account: str
    resolved_source_version: str | None

    @property
    def build_id(self) -> str:
        return f"{self.project}:{self.build_uuid}"

    @property
    def build_arn(self) -> str:
        return f"arn:aws:codebuild:{self.region}:{self.account}:build/{self.build_id}"


# Ours, not CodeBuild's: as act sets ACT=true, a buildspec can tell a local run and skip what only the cloud can do
# (`if [ "$SIMULATOR" = true ]; then ...`). The lowest layer: a buildspec or --env that sets it wins.
SIMULATOR_VARIABLES = {"SIMULATOR": "true"}

# Where a build's variable comes from, as `plan` names it; SECRETS is the buildspec's resolved secret variables.
SIMULATOR, HOST, CODEBUILD, BUILDSPEC, SECRETS, OVERRIDES = (
    "simulator",
    "host",
    "CodeBuild",
    "buildspec",
    "secrets",
    "--env",
)
UNDECLARED = (SIMULATOR, HOST, CODEBUILD)  # set for every build, not by the user's files or flags


def layers(
    *,
    host: Mapping[str, str],
    codebuild: Mapping[str, str],
    buildspec: Mapping[str, str],
    secrets: Mapping[str, str],
    overrides: Mapping[str, str],
) -> tuple[tuple[str, Mapping[str, str]], ...]:
    """CB §1.4 precedence, lowest first (a later layer wins): ours, the host's network settings, CodeBuild's own, the
    buildspec's `env.variables`, its resolved secrets, the start-build overrides; the image's ENV lies below all.
    The runner composes these and `plan` shows them, so both follow one order."""
    return (
        (SIMULATOR, SIMULATOR_VARIABLES),
        (HOST, host),
        (CODEBUILD, codebuild),
        (BUILDSPEC, buildspec),
        (SECRETS, secrets),
        (OVERRIDES, overrides),
    )


def codebuild_variables(identity: BuildIdentity) -> dict[str, str]:
    """The variables CodeBuild sets in every build, with the shapes of CB §4.1."""
    variables = {
        "AWS_DEFAULT_REGION": identity.region,
        "AWS_REGION": identity.region,
        "CODEBUILD_BUILD_ARN": identity.build_arn,
        "CODEBUILD_BUILD_ID": identity.build_id,
        "CODEBUILD_BUILD_IMAGE": identity.image,
        "CODEBUILD_BUILD_NUMBER": str(identity.build_number),
        "CODEBUILD_BUILD_SUCCEEDING": "1",
        "CODEBUILD_INITIATOR": identity.initiator,
        "CODEBUILD_KMS_KEY_ID": f"arn:aws:kms:{identity.region}:{identity.account}:alias/aws/s3",
        "CODEBUILD_LOG_PATH": identity.build_uuid,
        "CODEBUILD_PROJECT_NAME": identity.project,
        "CODEBUILD_SRC_DIR": identity.source_dir,
        "CODEBUILD_START_TIME": str(identity.start_time_ms),
        "HOME": "/root",
    }
    if identity.resolved_source_version:
        variables["CODEBUILD_RESOLVED_SOURCE_VERSION"] = identity.resolved_source_version
        variables["CODEBUILD_SOURCE_VERSION"] = identity.resolved_source_version
    return variables


def build_region(environ: Mapping[str, str]) -> str:
    """The host's region, as the AWS CLI would pick it, else CodeBuild's default."""
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def secondary_source_dir(identity: BuildIdentity, identifier: str) -> str:
    return f"{identity.source_dir.rsplit('/', 1)[0]}/{SECONDARY_SOURCES_DIR}/{identifier}"


def secondary_variables(identity: BuildIdentity, sources: Mapping[str, Path]) -> dict[str, str]:
    """CB §4.1: CODEBUILD_SRC_DIR_<id>, and CODEBUILD_SOURCE_VERSION_<id> for a source that is a git repository."""
    variables: dict[str, str] = {}
    for identifier, folder in sources.items():
        variables[f"CODEBUILD_SRC_DIR_{identifier}"] = secondary_source_dir(identity, identifier)
        commit = staging.resolved_commit(folder)
        if commit:
            variables[f"CODEBUILD_SOURCE_VERSION_{identifier}"] = commit
    return variables


def parse_assignment(text: str, origin: str) -> tuple[str, str]:
    """NAME=VALUE; a leading `export ` is allowed, as shell-style env files write it. A message about a bad line
    names at most what stands before `=`: the value may be a secret."""
    name, equals, value = text.partition("=")
    name = name.strip()
    if name.startswith("export "):
        name = name.removeprefix("export ").strip()
    if not equals:
        raise InputError(f"{origin}: there is no '=' (the text is not shown, it may be a secret): write NAME=VALUE.")
    if not _NAME.match(name):
        raise InputError(f"{origin}: {quote(name)} is not a valid variable name: write NAME=VALUE.")
    return name, value


def parse_env_file(path: Path) -> dict[str, str]:
    """VAR=VALUE per line, `#` comments and blank lines ignored, quotes kept as written (like AWS's local tool)."""
    try:
        lines = read_text(path).splitlines()
    except UnreadableFile as error:
        raise InputError(f"Cannot read the env file {path}: {error.reason}.") from error
    values: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            name, value = parse_assignment(line, f"{path}:{number}")
            values[name] = value
    return values


def check_not_reserved(names: Iterable[str], origin: str) -> None:
    reserved = sorted(n for n in names if n.upper().startswith(RESERVED_PREFIX))
    if reserved:
        raise InputError(
            f"{origin} sets {', '.join(reserved)}: names starting with {RESERVED_PREFIX} are reserved for "
            "CodeBuild itself; rename the variable."
        )


def host_network_variables(environ: Mapping[str, str], *, inject_ca: bool) -> dict[str, str]:
    """Proxy settings and the CA bundle location, so https in the build works as it does on the host."""
    variables = {name: environ[name] for name in PROXY_VARIABLES if environ.get(name)}
    if inject_ca:
        variables.update(dict.fromkeys(CA_VARIABLES, CA_BUNDLE_IN_CONTAINER))
    return variables


def host_ca_bundle(environ: Mapping[str, str]) -> Path | None:
    """The file the host's own tools trust, if there is one."""
    candidates = [environ.get("SSL_CERT_FILE"), environ.get("REQUESTS_CA_BUNDLE")]
    candidates += [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return Path(candidate)
    return None


def compose(*layers: Mapping[str, str]) -> dict[str, str]:
    """Later layers win: image < host network < CodeBuild's < buildspec < secrets < overrides."""
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update(layer)
    return merged
