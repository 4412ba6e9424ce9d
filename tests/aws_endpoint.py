"""moto's server on loopback: a real AWS-protocol endpoint (HTTP, signed requests, AWS's error codes) for the `--aws`
tests, started once per test session and seeded with boto3 as a user seeds AWS. Nothing here replaces a Python call.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3

REGION = "us-east-1"
# Fake credentials (moto accepts any), shaped as AWS's, so that the masker has real-looking ones to hide.
ACCESS_KEY = "AKIAMOTOLOCALTEST001"
SECRET_KEY = "moto/local+secret-access-key-for-tests"
STARTUP_SECONDS = 30

GREETING = "hello from ssm"  # /shop/dev/greeting, a String
DB_PASSWORD = "ssm-s3cret-pw"  # /shop/dev/db/password, a SecureString
CURRENT_DB = '{"username": "admin", "password": "p4ss-current"}'  # prod/db now
PREVIOUS_DB = '{"username": "admin", "password": "p4ss-previous"}'  # prod/db before the rotation: AWSPREVIOUS
TOKEN = "plain-token-value"  # shop/token, a plain string secret


@dataclass(frozen=True)
class SeededAws:
    endpoint: str
    secret_arn: str  # prod/db's ARN (with AWS's random suffix)
    previous_version: str  # the version id of PREVIOUS_DB


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return process, endpoint
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(f"moto's server did not answer on {endpoint}: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)


def seed(endpoint: str) -> SeededAws:
    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    ssm = client("ssm")
    ssm.put_parameter(Name="/shop/dev/greeting", Value=GREETING, Type="String")
    ssm.put_parameter(Name="/shop/dev/db/password", Value=DB_PASSWORD, Type="SecureString")
    secrets = client("secretsmanager")
    created = secrets.create_secret(Name="prod/db", SecretString=PREVIOUS_DB)
    secrets.put_secret_value(SecretId="prod/db", SecretString=CURRENT_DB)  # a rotation: the first is AWSPREVIOUS
    secrets.create_secret(Name="shop/token", SecretString=TOKEN)
    return SeededAws(endpoint, created["ARN"], created["VersionId"])


def client_environment(endpoint: str, home: Path) -> dict[str, str]:
    """What a user's shell would hold to point the simulator at this endpoint, and nothing of this machine's own
    AWS setup (a developer's profile or region must not change what the tests see)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance metadata address off this machine
        "NO_PROXY": ",".join(filter(None, ("127.0.0.1", os.environ.get("NO_PROXY")))),
    }


# Variables of this machine's own AWS setup that would change what boto3 finds.
FOREIGN_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)
