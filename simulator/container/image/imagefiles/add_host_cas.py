"""Copy the host's extra CA certificates into the image's local CA directory.

Runs inside the image build with the image's own python3, so it uses the standard library only.
Usage: add_host_cas.py HOST_BUNDLE IMAGE_BUNDLE TARGET_DIR

Certificates are compared by their DER bytes, so the host's copies of the Mozilla roots that the
image already trusts are skipped and only the rest (such as a TLS-intercepting proxy's CA) are added,
one per .crt file because update-ca-certificates reads only the first certificate of each file.
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
import sys
from pathlib import Path

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
# Every X.509 certificate is a DER SEQUENCE, so its first byte is 0x30.
_DER_SEQUENCE = 0x30


def certificates(text: str) -> list[bytes]:
    """The DER form of each well-formed PEM certificate in text, in order."""
    found = []
    for body in _PEM_BLOCK.findall(text):
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (ValueError, binascii.Error):
            der = b""
        # A damaged block in the host bundle must not stop the image build; skipping it only means
        # that one CA is not trusted.
        if der[:1] == bytes([_DER_SEQUENCE]):
            found.append(der)
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return ""


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    host_bundle, image_bundle, target_dir = Path(argv[1]), Path(argv[2]), Path(argv[3])
    known = set(certificates(_read(image_bundle)))
    added = 0
    for der in certificates(_read(host_bundle)):
        if der in known:
            continue
        known.add(der)
        added += 1
        target_dir.mkdir(parents=True, exist_ok=True)
        (target_dir / f"simulator-host-ca-{added:03d}.crt").write_text(ssl.DER_cert_to_PEM_cert(der))
    print(f"add_host_cas: {added} host CA certificate(s) added to {target_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
