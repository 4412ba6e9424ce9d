"""parameter-store and secrets-manager from the local values file: codebuild-semantics §1.4."""

import pytest

from simulator.codebuild.parameters import (
    LocalValues,
    ResolutionError,
    SecretReference,
    load_values,
    parse_secret_reference,
    resolve_parameters,
    resolve_secrets,
)
from simulator.errors import InputError

VALUES = LocalValues(
    parameters={"/shop/dev/db/password": "s3cret"},
    secrets={
        "prod/db": '{"username": "admin", "password": "p4ss"}',
        "prod/db:AWSPREVIOUS": {"username": "admin", "password": "old"},
        "plain": "just-a-string",
    },
)


def test_parameter_is_resolved():
    assert resolve_parameters({"DB_PASSWORD": "/shop/dev/db/password"}, VALUES) == {"DB_PASSWORD": "s3cret"}


def test_missing_parameter_fails_with_the_local_agent_message():
    with pytest.raises(ResolutionError) as caught:
        resolve_parameters({"X": "/missing"}, VALUES)
    assert (caught.value.status_code, caught.value.message) == (
        "Decrypted Variables Error",
        "parameter does not exist: /missing",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod/db", SecretReference("prod/db", None, None, None)),
        ("prod/db:password", SecretReference("prod/db", "password", None, None)),
        ("prod/db:password:AWSPREVIOUS", SecretReference("prod/db", "password", "AWSPREVIOUS", None)),
        ("prod/db:::v-123", SecretReference("prod/db", None, None, "v-123")),
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCd:password",
            SecretReference(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCd", "password", None, None
            ),
        ),
    ],
)
def test_secret_reference_syntax(text, expected):
    assert parse_secret_reference(text) == expected


def test_secrets_whole_json_key_and_version_stage():
    references = {"WHOLE": "plain", "PASSWORD": "prod/db:password", "OLD": "prod/db:password:AWSPREVIOUS"}
    assert resolve_secrets(references, VALUES) == {"WHOLE": "just-a-string", "PASSWORD": "p4ss", "OLD": "old"}


def test_missing_json_key_is_a_resolution_error():
    with pytest.raises(ResolutionError, match=r"^json key token not found in secret prod/db$"):
        resolve_secrets({"T": "prod/db:token"}, VALUES)


def test_values_file_with_an_unknown_section_is_refused(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text("parameters:\n  a: b\n")
    with pytest.raises(InputError) as caught:
        load_values(path)
    assert str(caught.value) == (
        f"The parameters file {path} must be a mapping with the keys parameter-store and secrets-manager."
    )


def test_values_file_scalars_become_strings(tmp_path):
    path = tmp_path / "parameters.yml"
    path.write_text(
        "parameter-store:\n  /port: 8080\n  /mode: 0755\n  /flag: yes\n  /empty:\n"
        "secrets-manager:\n  db: {port: 5432}\n"
    )
    assert load_values(path) == LocalValues(
        {"/port": "8080", "/mode": "0755", "/flag": "yes", "/empty": ""}, {"db": {"port": 5432}}
    )
