"""`--aws`: parameter-store and secrets-manager from AWS's own APIs (CB §1.4, CB §5.3), against moto's
server on loopback (tests/aws_endpoint.py): real HTTP, real signing, AWS's error codes; no Python call replaced."""

from __future__ import annotations

import sys

import boto3
import pytest

from simulator.codebuild.aws_values import AwsTarget, connect_aws
from simulator.codebuild.parameters import (
    PARAMETER_ERROR_CODE,
    SECRET_ERROR_CODE,
    BuildLookups,
    LocalValues,
    ResolutionError,
    SecretReference,
    resolve_parameters,
    resolve_secrets,
)
from simulator.errors import EnvironmentProblem, InputError
from tests.aws_endpoint import (
    ACCESS_KEY,
    CURRENT_DB,
    DB_PASSWORD,
    GREETING,
    PREVIOUS_DB,
    REGION,
    SECRET_KEY,
    TOKEN,
    free_port,
)


@pytest.fixture
def aws(aws_env):
    return connect_aws(AwsTarget())


def failure(resolve, references, source) -> tuple[str, str]:
    with pytest.raises(ResolutionError) as caught:
        resolve(references, source)
    return caught.value.status_code, caught.value.message


def test_a_parameter_and_a_secure_string_resolve_decrypted(aws):
    references = {"GREETING": "/shop/dev/greeting", "DB_PASSWORD": "/shop/dev/db/password"}
    assert resolve_parameters(references, aws) == {"GREETING": GREETING, "DB_PASSWORD": DB_PASSWORD}


def test_a_secret_whole_by_json_key_by_version_stage_by_version_id_and_by_arn(aws, moto_aws):
    references = {
        "WHOLE": "shop/token",
        "DOCUMENT": "prod/db",
        "PASSWORD": "prod/db:password",
        "CURRENT": "prod/db:password:AWSCURRENT",
        "OLD": "prod/db:password:AWSPREVIOUS",
        "BY_ID": f"prod/db:password::{moto_aws.previous_version}",
        "BY_ARN": f"{moto_aws.secret_arn}:username",
    }
    assert resolve_secrets(references, aws) == {
        "WHOLE": TOKEN,
        "DOCUMENT": CURRENT_DB,
        "PASSWORD": "p4ss-current",
        "CURRENT": "p4ss-current",
        "OLD": "p4ss-previous",
        "BY_ID": "p4ss-previous",
        "BY_ARN": "admin",
    }


def test_a_missing_parameter_names_it_and_aws_error_code(aws):
    assert failure(resolve_parameters, {"X": "/shop/dev/missing"}, aws) == (
        PARAMETER_ERROR_CODE,
        "parameter does not exist: /shop/dev/missing (ParameterNotFound)",
    )


def test_a_missing_secret_names_it_and_aws_error_code(aws):
    assert failure(resolve_secrets, {"X": "prod/missing:password"}, aws) == (
        SECRET_ERROR_CODE,
        "Secrets Manager can't find the specified secret: prod/missing (ResourceNotFoundException)",
    )


def test_a_missing_version_stage_names_the_secret_and_the_stage(aws):
    assert failure(resolve_secrets, {"X": "prod/db:password:AWSPENDING"}, aws) == (
        SECRET_ERROR_CODE,
        "Secrets Manager can't find the specified secret: prod/db:AWSPENDING (ResourceNotFoundException)",
    )


def test_a_missing_json_key_is_the_local_sentence(aws):
    assert failure(resolve_secrets, {"X": "prod/db:token"}, aws) == (
        SECRET_ERROR_CODE,
        "json key token not found in secret prod/db",
    )


def test_a_json_key_of_a_secret_that_is_no_json_object(aws):
    assert failure(resolve_secrets, {"X": "shop/token:key"}, aws) == (
        SECRET_ERROR_CODE,
        "secret shop/token is not a JSON object, so it has no json keys",
    )


def test_an_error_aws_has_no_missing_sentence_for_keeps_its_code_and_message(aws, moto_aws):
    # A version id and a stage that do not belong together: AWS's InvalidRequestException, quoted on one line.
    reference = f"prod/db:password:AWSCURRENT:{moto_aws.previous_version}"
    assert failure(resolve_secrets, {"X": reference}, aws) == (
        SECRET_ERROR_CODE,
        f"secret prod/db:{moto_aws.previous_version} could not be read: InvalidRequestException: "
        "You provided a VersionStage that is not associated to the provided VersionId",
    )


def test_an_unreachable_endpoint_fails_the_lookup_naming_the_parameter_and_the_endpoint(aws_env, monkeypatch):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there once the probe is closed
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    assert failure(resolve_parameters, {"X": "/shop/dev/greeting"}, connect_aws(AwsTarget())) == (
        PARAMETER_ERROR_CODE,
        f"parameter /shop/dev/greeting could not be read: EndpointConnectionError: Could not connect to the endpoint "
        f'URL: "{closed}/"',
    )
    assert failure(resolve_secrets, {"X": "prod/db:password"}, connect_aws(AwsTarget())) == (
        SECRET_ERROR_CODE,
        f"secret prod/db could not be read: EndpointConnectionError: Could not connect to the endpoint URL: "
        f'"{closed}/"',
    )


def test_the_region_flag_is_the_region_asked(aws_env):
    # moto keeps each region's parameters apart, as AWS does: the seeded ones are in us-east-1 only.
    assert failure(resolve_parameters, {"X": "/shop/dev/greeting"}, connect_aws(AwsTarget(region="eu-west-1"))) == (
        PARAMETER_ERROR_CODE,
        "parameter does not exist: /shop/dev/greeting (ParameterNotFound)",
    )


def test_a_profile_gives_its_credentials_and_region_and_they_are_handed_to_the_masker(aws_env, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        monkeypatch.delenv(name)
    (tmp_path / "aws-config").write_text(f"[profile shop]\nregion = {REGION}\n")
    (tmp_path / "aws-credentials").write_text(
        "[shop]\naws_access_key_id = AKIAPROFILEONLY00001\naws_secret_access_key = profile/only+secret\n"
    )
    source = connect_aws(AwsTarget(profile="shop"))
    assert resolve_parameters({"G": "/shop/dev/greeting"}, source) == {"G": GREETING}
    assert source.credentials == ("AKIAPROFILEONLY00001", "profile/only+secret")


def test_the_credentials_of_the_environment_are_handed_to_the_masker(aws):
    assert aws.credentials == (ACCESS_KEY, SECRET_KEY)


def test_an_unknown_profile_is_one_sentence(aws_env):
    with pytest.raises(InputError) as caught:
        connect_aws(AwsTarget(profile="nobody"))
    assert str(caught.value) == (
        "The AWS profile nobody is not in your AWS config or credentials file: pass one of your profiles to "
        "--aws-profile."
    )


def test_an_unknown_profile_from_the_environment_says_where_it_came_from(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    with pytest.raises(InputError) as caught:
        connect_aws(AwsTarget())
    assert str(caught.value) == (
        "The AWS profile ghost is not in your AWS config or credentials file: set AWS_PROFILE to one of yours."
    )


def test_no_region_is_one_sentence(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(InputError) as caught:
        connect_aws(AwsTarget())
    assert str(caught.value) == (
        "--aws needs a region: pass --aws-region, set AWS_REGION or AWS_DEFAULT_REGION, or give the profile one."
    )


def test_no_credentials_is_one_sentence(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(EnvironmentProblem) as caught:
        connect_aws(AwsTarget())
    assert str(caught.value) == (
        "--aws found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass a profile that "
        "has them to --aws-profile."
    )


def test_no_boto3_is_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # what `import boto3` meets where it is not installed
    with pytest.raises(EnvironmentProblem) as caught:
        connect_aws(AwsTarget())
    assert (
        str(caught.value) == "--aws needs boto3, which is not installed: pip install 'simulator[aws]' (or boto3>=1.34)."
    )


# The same store of values, once as the values file and once in AWS: the sources must agree on every answer.
LOCAL_TWIN = LocalValues(
    parameters={"/shop/dev/greeting": GREETING, "/shop/dev/db/password": DB_PASSWORD},
    secrets={"prod/db": CURRENT_DB, "prod/db:AWSPREVIOUS": PREVIOUS_DB, "shop/token": TOKEN},
)
AGREED = [
    (resolve_parameters, {"A": "/shop/dev/greeting", "B": "/shop/dev/db/password"}),
    (resolve_parameters, {"A": "/shop/dev/greeting", "B": "/shop/dev/none"}),
    (resolve_secrets, {"A": "prod/db:password", "B": "prod/db:username:AWSPREVIOUS", "C": "shop/token"}),
    (resolve_secrets, {"A": "prod/db"}),
    (resolve_secrets, {"A": "prod/none:password"}),
    (resolve_secrets, {"A": "prod/db:AWSPREVIOUS"}),
    (resolve_secrets, {"A": "prod/db:password:AWSPENDING"}),
    (resolve_secrets, {"A": "shop/token:key"}),
]


@pytest.mark.parametrize(("resolve", "references"), AGREED, ids=[str(list(r.values())) for _, r in AGREED])
def test_the_values_file_and_aws_give_the_same_values_and_sentences(aws, resolve, references):
    def outcome(source):
        try:
            return resolve(references, source)
        except ResolutionError as error:
            return error.status_code, error.message

    from_aws, from_file = outcome(aws), outcome(LOCAL_TWIN)
    if isinstance(from_aws, tuple):  # AWS adds its error code to the sentence, and only that
        code, message = from_aws
        from_aws = (code, message.removesuffix(" (ParameterNotFound)").removesuffix(" (ResourceNotFoundException)"))
    assert from_aws == from_file


class Counting:
    """A source that counts the lookups it is asked for, to see what a build asks."""

    def __init__(self, source) -> None:
        self.source = source
        self.asked: list[str] = []

    def parameter(self, name: str) -> str:
        self.asked.append(name)
        return self.source.parameter(name)

    def secret(self, reference: SecretReference):
        self.asked.append(reference.version_key)
        return self.source.secret(reference)


def test_a_build_looks_each_name_up_once_however_many_variables_name_it(aws):
    counting = Counting(aws)
    lookups = BuildLookups(counting)
    assert resolve_parameters({"A": "/shop/dev/greeting", "B": "/shop/dev/greeting"}, lookups) == {
        "A": GREETING,
        "B": GREETING,
    }
    assert resolve_secrets(
        {"U": "prod/db:username", "P": "prod/db:password", "O": "prod/db:password:AWSPREVIOUS"}, lookups
    ) == {
        "U": "admin",
        "P": "p4ss-current",
        "O": "p4ss-previous",
    }
    assert resolve_parameters({"C": "/shop/dev/greeting"}, lookups) == {"C": GREETING}
    assert counting.asked == ["/shop/dev/greeting", "prod/db", "prod/db:AWSPREVIOUS"]


def test_each_build_looks_again_so_a_changed_value_is_seen_by_the_next_build(aws, moto_aws):
    ssm = boto3.client(
        "ssm",
        endpoint_url=moto_aws.endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    ssm.put_parameter(Name="/shop/dev/rotating", Value="first", Type="SecureString", Overwrite=True)
    first = BuildLookups(aws)
    assert resolve_parameters({"R": "/shop/dev/rotating"}, first) == {"R": "first"}
    ssm.put_parameter(Name="/shop/dev/rotating", Value="second", Type="SecureString", Overwrite=True)
    assert resolve_parameters({"R": "/shop/dev/rotating"}, first) == {"R": "first"}  # the same build: cached
    assert resolve_parameters({"R": "/shop/dev/rotating"}, BuildLookups(aws)) == {"R": "second"}
