"""The parsers of flag values that the project's defaults share with the command line: a value from
`.simulator.yml` or a SIMULATOR_<FLAG> variable is read by the same function as the flag, so both are refused with
the same sentence. They sit here, below both the CLI and the settings table, so neither imports the other."""

from __future__ import annotations

import argparse
import math

# CodeBuild's range for a build timeout (TimeoutInMinutes, 5 to 2160); locally a shorter one is allowed, for tests
# and quick experiments, but never a longer one.
MAX_TIMEOUT_MINUTES = 2160.0


def minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT_MINUTES:
        raise argparse.ArgumentTypeError(
            f"the timeout must be more than 0 and at most {MAX_TIMEOUT_MINUTES:g} minutes (CodeBuild's limit)"
        )
    return value


def image_name(text: str) -> str:
    # Docker's own answer to a malformed name quotes an API URL; one sentence here says what is wrong instead.
    if not text or not text.isprintable() or any(character.isspace() for character in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an image name such as aws/codebuild/standard:7.0")
    return text


def image_mapping(text: str) -> tuple[str, str]:
    """NAME=IMAGE, both image names: a curated name holds `/` and `:`, which no variable name may."""
    name, equals, image = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=IMAGE, e.g. aws/codebuild/standard:7.0=my-image")
    return image_name(name), image_name(image)
