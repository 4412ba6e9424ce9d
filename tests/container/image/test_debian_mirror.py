"""The host's Debian mirror, read from apt's sources in both formats (pure file work)."""

from __future__ import annotations

from pathlib import Path

from simulator.container.image.debian_mirror import (
    AptSource,
    DebianMirror,
    base_sources_file,
    choose_debian_mirror,
    parse_deb822_sources,
    parse_one_line_sources,
    read_apt_sources,
    read_debian_mirror,
)

ONE_LINE = """\
# the main archive
deb http://ftp.de.debian.org/debian/ bookworm main contrib non-free-firmware
deb-src http://ftp.de.debian.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/a.gpg] http://ftp.de.debian.org/debian bookworm-updates main # x
deb [ arch=amd64 ] http://security.debian.org/debian-security bookworm-security main
deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main
#deb http://commented.example/debian bookworm main
deb incomplete-line
"""

DEB822 = """\
# Debian's default since bookworm
Types: deb deb-src
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBFdDN1ABEADaNd/I3j3tn40deQNgz7hB2NvT+syXe53z
 -----END PGP PUBLIC KEY BLOCK-----
"""


def test_one_line_format_is_parsed():
    assert parse_one_line_sources(ONE_LINE) == [
        AptSource("http://ftp.de.debian.org/debian", ("bookworm",), ("main", "contrib", "non-free-firmware")),
        AptSource("http://ftp.de.debian.org/debian", ("bookworm-updates",), ("main",)),
        AptSource("http://security.debian.org/debian-security", ("bookworm-security",), ("main",)),
        AptSource("https://packages.cloud.google.com/apt", ("cloud-sdk-bookworm",), ("main",)),
    ]


def test_deb822_format_is_parsed():
    assert parse_deb822_sources(DEB822) == [
        AptSource("http://mirror.example.org/debian", ("bookworm", "bookworm-updates"), ("main",)),
        AptSource("http://mirror.example.org/debian-security", ("bookworm-security",), ("main",)),
        AptSource("https://deb.nodesource.com/node_20.x", ("nodistro",), ("main",)),
    ]


def _apt_dir(tmp_path: Path, sources_list: str = "", parts: dict[str, str] | None = None) -> Path:
    apt_dir = tmp_path / "apt"
    (apt_dir / "sources.list.d").mkdir(parents=True)
    if sources_list:
        (apt_dir / "sources.list").write_text(sources_list)
    for name, text in (parts or {}).items():
        (apt_dir / "sources.list.d" / name).write_text(text)
    return apt_dir


def test_mirror_from_a_one_line_sources_list(tmp_path):
    apt_dir = _apt_dir(tmp_path, ONE_LINE)
    assert read_debian_mirror(apt_dir) == DebianMirror(
        uri="http://ftp.de.debian.org/debian",
        suite="bookworm",
        security_uri="http://security.debian.org/debian-security",
    )


def test_mirror_from_a_deb822_sources_file(tmp_path):
    apt_dir = _apt_dir(tmp_path, parts={"debian.sources": DEB822})
    assert read_debian_mirror(apt_dir) == DebianMirror(
        uri="http://mirror.example.org/debian",
        suite="bookworm",
        security_uri="http://mirror.example.org/debian-security",
    )


def test_only_list_and_sources_files_are_read(tmp_path):
    apt_dir = _apt_dir(
        tmp_path,
        parts={
            "nodesource.sources.disabled-by-farm": DEB822,
            "old.list.save": "deb http://saved.example.org/debian bookworm main\n",
            "zz-debian.list": "deb http://deb.example.net/debian trixie main\n",
        },
    )
    assert read_apt_sources(apt_dir) == [AptSource("http://deb.example.net/debian", ("trixie",), ("main",))]
    # The mirror serves bookworm too, and no security source is configured for it.
    assert read_debian_mirror(apt_dir) == DebianMirror("http://deb.example.net/debian", "trixie", None)


def test_a_bookworm_source_is_preferred_over_an_earlier_other_suite(tmp_path):
    apt_dir = _apt_dir(
        tmp_path,
        "deb http://trixie.example.org/debian trixie main\n",
        {"bookworm.list": "deb http://bookworm.example.org/debian bookworm main\n"},
    )
    assert read_debian_mirror(apt_dir).uri == "http://bookworm.example.org/debian"


def test_hosts_without_a_debian_source_use_the_public_mirror(tmp_path):
    ubuntu = "deb http://archive.ubuntu.com/ubuntu jammy main universe\n"
    assert read_debian_mirror(_apt_dir(tmp_path, ubuntu)) == DebianMirror(
        "http://deb.debian.org/debian", "", "http://deb.debian.org/debian-security"
    )
    assert read_debian_mirror(tmp_path / "no-such-dir") == DebianMirror(
        "http://deb.debian.org/debian", "", "http://deb.debian.org/debian-security"
    )


def test_the_public_mirror_gets_the_public_security_archive():
    sources = [AptSource("http://deb.debian.org/debian", ("bookworm",), ("main",))]
    assert choose_debian_mirror(sources) == DebianMirror(
        "http://deb.debian.org/debian", "bookworm", "http://deb.debian.org/debian-security"
    )


def test_non_http_sources_are_ignored():
    sources = [
        AptSource("cdrom:[Debian GNU/Linux 12]/", ("bookworm",), ("main",)),
        AptSource("mirror+file:/etc/apt/mirrors/debian.list", ("bookworm",), ("main",)),
    ]
    assert choose_debian_mirror(sources).uri == "http://deb.debian.org/debian"


def test_base_image_sources_file():
    mirror = DebianMirror("http://mirror.example.org/debian", "trixie", "http://sec.example.org/debian-security")
    assert base_sources_file(mirror) == (
        "Types: deb\n"
        "URIs: http://mirror.example.org/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"
        "\n"
        "Types: deb\n"
        "URIs: http://sec.example.org/debian-security\n"
        "Suites: bookworm-security\n"
        "Components: main\n"
    )
    assert "security" not in base_sources_file(DebianMirror("http://m.example.org/debian", "bookworm", None))
