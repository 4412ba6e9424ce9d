"""Output chunks become whole lines; very long lines come out in bounded pieces."""

from simulator.codebuild.output import LONGEST_LINE, LineSplitter


def split(*chunks):
    lines = []
    splitter = LineSplitter(lines.append)
    for chunk in chunks:
        splitter.feed(chunk)
    splitter.flush()
    return lines


def test_lines_are_joined_across_chunks():
    assert split(b"hel", b"lo\nwor", b"ld\n", b"tail") == ["hello", "world", "tail"]


def test_empty_lines_are_kept():
    assert split(b"a\n\nb\n") == ["a", "", "b"]


def test_a_very_long_line_is_emitted_in_pieces_as_it_grows():
    chunk = b"x" * (LONGEST_LINE // 2)
    lines = split(chunk, chunk, chunk, b"\n")
    assert lines == ["x" * LONGEST_LINE, "x" * (LONGEST_LINE // 2)]


def test_invalid_utf8_is_replaced_not_fatal():
    assert split(b"caf\xe9\n") == ["caf\ufffd"]
