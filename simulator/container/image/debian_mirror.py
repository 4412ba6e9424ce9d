"""The host's Debian mirror, read from apt's sources (both formats), for debootstrap and the base's apt.

Pure file reading and parsing: no Docker, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The image's runtimes (Python 3.11, Node.js 18, Java 17) are bookworm's, so the base is bookworm
# whatever Debian release the host runs; only the host's mirror is reused.
BOOTSTRAP_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"

# Debian codenames and aliases a host may name; a suite outside this set (an Ubuntu release, a vendor's
# "nodistro") marks a source that is not a Debian archive.
_DEBIAN_SUITES = frozenset(
    {
        "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
        "oldoldstable", "oldstable", "stable", "testing", "unstable",
    }
)  # fmt: skip


@dataclass(frozen=True)
class AptSource:
    """One `deb` source: an archive URI with the suites and components read from it."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class DebianMirror:
    """Where debootstrap and the image's apt read Debian from."""

    uri: str
    # The Debian suite the host uses from that mirror ("bookworm"), or "" when the host has no Debian
    # source and the public default mirror is used.
    suite: str
    security_uri: str | None


def parse_one_line_sources(text: str) -> list[AptSource]:
    """The `deb` entries of a sources.list in the classic one-line format."""
    sources = []
    for raw in text.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if not tokens or tokens[0] != "deb":
            continue
        rest = tokens[1:]
        if rest and rest[0].startswith("["):
            # Options such as [arch=amd64 signed-by=...] may span several tokens.
            while rest and not rest[0].endswith("]"):
                rest = rest[1:]
            rest = rest[1:]
        if len(rest) < 2:
            continue
        sources.append(AptSource(rest[0].rstrip("/"), (rest[1],), tuple(rest[2:])))
    return sources


def parse_deb822_sources(text: str) -> list[AptSource]:
    """The enabled `deb` entries of a deb822 .sources file."""
    sources: list[AptSource] = []
    for stanza in _deb822_stanzas(text):
        if stanza.get("enabled", "yes").strip().lower() == "no":
            continue
        if "deb" not in stanza.get("types", "").split():
            continue
        suites = tuple(stanza.get("suites", "").split())
        components = tuple(stanza.get("components", "").split())
        sources.extend(AptSource(uri.rstrip("/"), suites, components) for uri in stanza.get("uris", "").split())
    return sources


def _deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield fields
            fields, current = {}, ""
            continue
        if line[0] in " \t":
            # A continuation line (e.g. an inline Signed-By key) belongs to the previous field.
            if current:
                fields[current] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            current = key.strip().lower()
            fields[current] = value.strip()
    if fields:
        yield fields


def read_apt_sources(apt_dir: Path = Path("/etc/apt")) -> list[AptSource]:
    """Every `deb` source apt on this host uses, in apt's reading order."""
    sources: list[AptSource] = []
    main_list = apt_dir / "sources.list"
    if main_list.is_file():
        sources.extend(parse_one_line_sources(_read_text(main_list)))
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        # apt itself reads only these two suffixes; files like *.list.disabled or *.save are ignored.
        for path in sorted(parts.iterdir()):
            if path.suffix == ".list" and path.is_file():
                sources.extend(parse_one_line_sources(_read_text(path)))
            elif path.suffix == ".sources" and path.is_file():
                sources.extend(parse_deb822_sources(_read_text(path)))
    return sources


def read_debian_mirror(apt_dir: Path = Path("/etc/apt")) -> DebianMirror:
    """The host's Debian mirror (preferring one it uses for bookworm), or the public default."""
    return choose_debian_mirror(read_apt_sources(apt_dir))


def choose_debian_mirror(sources: Iterable[AptSource]) -> DebianMirror:
    archives: list[tuple[str, str]] = []
    security: list[tuple[str, str]] = []
    for source in sources:
        if not source.uri.startswith(("http://", "https://")):
            continue
        for suite in source.suites:
            codename = re.split(r"[-/]", suite, maxsplit=1)[0]
            if codename not in _DEBIAN_SUITES:
                continue
            is_security = suite.endswith(("-security", "/updates")) or "debian-security" in source.uri
            (security if is_security else archives).append((source.uri, suite))
    if not archives:
        return DebianMirror(DEFAULT_MIRROR, "", DEFAULT_SECURITY_MIRROR)
    uri, suite = _prefer_suite(archives, BOOTSTRAP_SUITE)
    security_uri = _prefer_suite(security, f"{BOOTSTRAP_SUITE}-security")[0] if security else None
    if security_uri is None and uri == DEFAULT_MIRROR:
        security_uri = DEFAULT_SECURITY_MIRROR
    return DebianMirror(uri, suite, security_uri)


def _prefer_suite(entries: list[tuple[str, str]], wanted: str) -> tuple[str, str]:
    for uri, suite in entries:
        if suite == wanted:
            return uri, suite
    for uri, suite in entries:
        if "-" not in suite and "/" not in suite:
            return uri, suite
    return entries[0]


def base_sources_file(mirror: DebianMirror) -> str:
    """The deb822 apt sources the bootstrapped base image gets (bookworm, its updates and security)."""
    text = f"Types: deb\nURIs: {mirror.uri}\nSuites: {BOOTSTRAP_SUITE} {BOOTSTRAP_SUITE}-updates\nComponents: main\n"
    if mirror.security_uri:
        text += f"\nTypes: deb\nURIs: {mirror.security_uri}\nSuites: {BOOTSTRAP_SUITE}-security\nComponents: main\n"
    return text


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
