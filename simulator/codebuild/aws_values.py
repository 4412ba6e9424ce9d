"""`--aws`: parameter-store and secrets-manager values from AWS itself, through boto3 with the user's credentials.

SSM's GetParameter (decrypted) and Secrets Manager's GetSecretValue stand where the local values file stands
otherwise; the resolution rules and sentences are parameters.py's, and a failed lookup adds AWS's error code.
boto3's own chain finds the credentials, the region and the endpoint (a profile, AWS_REGION, AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_SSM / _SECRETS_MANAGER, honoured by botocore itself since 1.31), so LocalStack or moto answer when
the user points there.

boto3 is imported only here, and only when `--aws` is given: it costs a `run` without `--aws` a noticeable part of
its start-up, and it is an optional dependency (`pip install 'simulator[aws]'`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.codebuild.parameters import PARAMETER_ERROR_CODE, SECRET_ERROR_CODE, ResolutionError, SecretReference
from simulator.errors import EnvironmentProblem, InputError

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_secretsmanager.type_defs import GetSecretValueRequestTypeDef
    from mypy_boto3_ssm import SSMClient

# AWS's codes for "no such name": the sentence is then the values file's own, with the code after it.
_PARAMETER_MISSING = frozenset({"ParameterNotFound", "ParameterVersionNotFound"})
_SECRET_MISSING = frozenset({"ResourceNotFoundException"})
# A lookup runs before the build's first command, with nothing shown meanwhile: bounded, so an endpoint that does
# not answer fails the build in seconds instead of hanging it (botocore's defaults wait a minute per try).
_CONNECT_TIMEOUT_SECONDS = 5
_READ_TIMEOUT_SECONDS = 20
_ATTEMPTS = 3


@dataclass(frozen=True)
class AwsTarget:
    """What the user chose with `--aws`: kept with a pipeline execution (names only, never a credential)."""

    profile: str | None = None
    region: str | None = None


class AwsValues:
    """A ValueSource answered by SSM and Secrets Manager; one per process, shared by its builds' threads."""

    def __init__(self, session: boto3.Session, credentials: tuple[str, ...]) -> None:
        self._session = session
        self.credentials = credentials  # for the masker: they must never reach a log, even from a profile
        self._lock = threading.Lock()  # a boto3 session is not thread-safe; the clients it makes are
        self._ssm: SSMClient | None = None
        self._secrets_manager: SecretsManagerClient | None = None

    def parameter(self, name: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self._ssm_client().get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except ClientError as error:
            code, message = _error_of(error)
            if code in _PARAMETER_MISSING:
                raise ResolutionError(PARAMETER_ERROR_CODE, f"parameter does not exist: {name} ({code})") from error
            raise ResolutionError(
                PARAMETER_ERROR_CODE, f"parameter {name} could not be read: {code}{message}"
            ) from error
        except BotoCoreError as error:
            raise ResolutionError(
                PARAMETER_ERROR_CODE, f"parameter {name} could not be read: {_problem_of(error)}"
            ) from error

    def secret(self, reference: SecretReference) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        key = reference.version_key
        try:
            asked: GetSecretValueRequestTypeDef = {"SecretId": reference.secret_id}
            if reference.version_stage:
                asked["VersionStage"] = reference.version_stage
            if reference.version_id:  # with a stage too, AWS checks that they belong together
                asked["VersionId"] = reference.version_id
            answer = self._secrets_manager_client().get_secret_value(**asked)
        except ClientError as error:
            code, message = _error_of(error)
            if code in _SECRET_MISSING:
                raise ResolutionError(
                    SECRET_ERROR_CODE, f"Secrets Manager can't find the specified secret: {key} ({code})"
                ) from error
            raise ResolutionError(SECRET_ERROR_CODE, f"secret {key} could not be read: {code}{message}") from error
        except BotoCoreError as error:
            raise ResolutionError(SECRET_ERROR_CODE, f"secret {key} could not be read: {_problem_of(error)}") from error
        if "SecretString" not in answer:
            # An environment variable holds text; CodeBuild documents SecretString values only.
            raise ResolutionError(SECRET_ERROR_CODE, f"secret {key} holds binary data (SecretBinary), not a string")
        return answer["SecretString"]

    def _ssm_client(self) -> SSMClient:
        with self._lock:
            if self._ssm is None:
                self._ssm = self._session.client("ssm", config=_client_config())
            return self._ssm

    def _secrets_manager_client(self) -> SecretsManagerClient:
        with self._lock:
            if self._secrets_manager is None:
                self._secrets_manager = self._session.client("secretsmanager", config=_client_config())
            return self._secrets_manager


def connect_aws(target: AwsTarget, environ: Mapping[str, str] = os.environ) -> AwsValues:
    """The AWS source for `target`, its region and credentials found now: a problem is one sentence before any
    build starts (a profile or region that is wrong: exit 2; no boto3 or no credentials: exit 3)."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
    except ImportError as error:
        raise EnvironmentProblem(
            "--aws needs boto3, which is not installed: pip install 'simulator[aws]' (or boto3>=1.34)."
        ) from error
    try:
        # botocore reads AWS_DEFAULT_REGION and the profile's region; AWS_REGION, which the other SDKs, the AWS CLI
        # and CodeBuild itself set, comes before both, as there.
        region = target.region or environ.get("AWS_REGION") or None
        session = boto3.Session(profile_name=target.profile, region_name=region)
        if not session.region_name:
            raise InputError(
                "--aws needs a region: pass --aws-region, set AWS_REGION or AWS_DEFAULT_REGION, or give the profile "
                "one."
            )
        found = session.get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except ProfileNotFound as error:  # a profile named by --aws-profile, or by AWS_PROFILE
        where = "pass one of your profiles to --aws-profile" if target.profile else "set AWS_PROFILE to one of yours"
        raise InputError(
            f"The AWS profile {target.profile or environ.get('AWS_PROFILE')} is not in your AWS config or credentials "
            f"file: {where}."
        ) from error
    except (BotoCoreError, ClientError) as error:
        raise EnvironmentProblem(f"--aws could not get AWS credentials: {_one_line(str(error))}.") from error
    if frozen is None or not frozen.access_key:
        raise EnvironmentProblem(
            "--aws found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass a profile "
            "that has them to --aws-profile."
        )
    return AwsValues(session, tuple(value for value in frozen if value))


def _client_config() -> Any:
    from botocore.config import Config

    return Config(
        connect_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": _ATTEMPTS},
    )


def _error_of(error: Any) -> tuple[str, str]:
    """AWS's error code, and its message as `: message` (empty when AWS sent none)."""
    details = error.response.get("Error", {})
    code = str(details.get("Code") or "UnknownError")
    message = _one_line(str(details.get("Message") or ""))
    return code, f": {message}" if message else ""


def _problem_of(error: Exception) -> str:
    """botocore's own errors (no endpoint, a timeout, a parameter it refuses) have a class name, not a code."""
    return f"{type(error).__name__}: {_one_line(str(error))}"


def _one_line(text: str) -> str:
    # The phase context is one sentence: botocore's validation errors come on several lines.
    return " ".join(text.split()).rstrip(".")
