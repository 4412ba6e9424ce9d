"""Output chunks become whole lines; very long lines come out in bounded pieces."""

import pytest

from simulator.codebuild.output import CUT_LOOKAHEAD, LONGEST_LINE, LineSplitter
from simulator.reporting.masking import Masker


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


# -- pieces of a long line: never a secret split over two, never half a character -----------------------------

SECRET = "s3cret-Value"


def chunked(data, size):
    return [data[i : i + size] for i in range(0, len(data), size)]


def masked_split(line, chunk_size, secrets=(SECRET,)):
    masker = Masker(secrets)
    lines = []
    splitter = LineSplitter(lambda piece: lines.append(masker.mask(piece)), cut=masker.safe_cut)
    for chunk in chunked(line, chunk_size):
        splitter.feed(chunk)
    splitter.flush()
    return lines


@pytest.mark.parametrize("chunk_size", [1, 7, LONGEST_LINE + 3])
@pytest.mark.parametrize("offset", range(1, len(SECRET)))
def test_a_secret_across_the_first_cut_is_kept_whole_and_masked(chunk_size, offset):
    before = "x" * (LONGEST_LINE - offset)
    line = (before + SECRET + "tail\n").encode()
    assert masked_split(line, chunk_size) == [before, "***tail"]


@pytest.mark.parametrize("chunk_size", [1, 7, LONGEST_LINE + 3])
def test_a_secret_across_the_second_cut_is_kept_whole_and_masked(chunk_size):
    line = ("x" * (2 * LONGEST_LINE - 5) + SECRET + "tail\n").encode()
    assert masked_split(line, chunk_size) == ["x" * LONGEST_LINE, "x" * (LONGEST_LINE - 5), "***tail"]


def test_a_secret_ending_exactly_at_the_cut_leaves_the_cut_where_it_is():
    line = ("x" * (LONGEST_LINE - len(SECRET)) + SECRET + "y" * 10 + "\n").encode()
    assert masked_split(line, 7) == ["x" * (LONGEST_LINE - len(SECRET)) + "***", "y" * 10]


def test_a_secret_look_alike_at_the_cut_does_not_move_it():
    line = ("x" * (LONGEST_LINE - 4) + SECRET[:4] + "-not-it\n").encode()
    assert masked_split(line, 7) == ["x" * (LONGEST_LINE - 4) + SECRET[:4], "-not-it"]


def test_a_line_ending_in_half_a_secret_is_emitted_whole_at_its_end():
    line = ("x" * (LONGEST_LINE - 2) + SECRET[:5] + "\n").encode()
    assert masked_split(line, 7) == ["x" * (LONGEST_LINE - 2), SECRET[:5]]


def test_overlapping_secrets_across_the_cut_move_it_before_both():
    # "abc123" and "123xyz" overlap in "abc123xyz": no cut inside either, and the overlap is masked as one.
    before = "x" * (LONGEST_LINE - 4)
    line = (before + "abc123xyz\n").encode()
    assert masked_split(line, 7, secrets=("abc123", "123xyz")) == [before, "***"]


def test_a_secret_of_multi_byte_characters_across_the_cut_counts_bytes_not_characters():
    secret = "pässwörd"
    # 2-byte characters before it make characters and bytes differ: the cut is at LONGEST_LINE bytes.
    # The cut at LONGEST_LINE bytes falls inside "ä", the secret's second character.
    before = "é" * ((LONGEST_LINE - 4) // 2) + "ab"
    line = (before + secret + "!\n").encode()
    assert len(before.encode()) == LONGEST_LINE - 2
    assert masked_split(line, 7, secrets=(secret,)) == [before, "***!"]


@pytest.mark.parametrize("chunk_size", [1, 7, LONGEST_LINE + 3])
@pytest.mark.parametrize(("char", "before_cut"), [("é", 1), ("€", 1), ("€", 2), ("😀", 1), ("😀", 3)])
def test_a_character_across_the_cut_goes_whole_into_the_next_piece(chunk_size, char, before_cut):
    encoded = char.encode()
    line = b"x" * (LONGEST_LINE - before_cut) + encoded + b"tail\n"
    assert split(*chunked(line, chunk_size)) == ["x" * (LONGEST_LINE - before_cut), char + "tail"]


def test_a_character_across_the_cut_goes_whole_into_the_next_piece_with_a_masker_too():
    line = b"x" * (LONGEST_LINE - 1) + "é".encode() + b"tail\n"
    assert masked_split(line, 7) == ["x" * (LONGEST_LINE - 1), "étail"]


def test_invalid_bytes_at_the_cut_are_cut_like_any_byte():
    line = b"x" * (LONGEST_LINE - 1) + b"\xff\xfe" + b"tail\n"
    assert split(line) == ["x" * (LONGEST_LINE - 1) + "\ufffd", "\ufffdtail"]


def test_a_line_of_exactly_the_longest_size_is_one_piece_and_no_empty_line_follows():
    assert split(b"x" * LONGEST_LINE, b"\n", b"next\n") == ["x" * LONGEST_LINE, "next"]


def test_a_long_line_arriving_whole_with_its_newline_still_comes_out_in_bounded_pieces():
    assert split(b"x" * (2 * LONGEST_LINE + 1) + b"\n") == ["x" * LONGEST_LINE, "x" * LONGEST_LINE, "x"]


def test_a_cut_function_that_makes_no_progress_is_overruled():
    lines = []
    splitter = LineSplitter(lines.append, cut=lambda text, limit: 0)
    splitter.feed(b"x" * (LONGEST_LINE + 1))
    splitter.flush()
    assert lines == ["x" * LONGEST_LINE, "x"]


@pytest.mark.parametrize("chunk_size", [4096, LONGEST_LINE + 3, 3 * 1024 * 1024])
def test_a_megabytes_long_line_is_cut_in_linear_time_into_bounded_pieces(chunk_size):
    """Every cut sees at most a piece and its look-ahead, never the whole line again (no quadratic rescans)."""
    masker = Masker([SECRET, "abc", "z" * 40])
    unit = ("y" * 1000 + SECRET).encode()
    line = unit * (3 * 1024 * 1024 // len(unit))
    seen = []

    def cut(text, limit):
        seen.append(len(text))
        return masker.safe_cut(text, limit)

    pieces = []
    splitter = LineSplitter(pieces.append, cut=cut)
    for chunk in chunked(line, chunk_size):
        splitter.feed(chunk)
    splitter.flush()
    assert "".join(pieces) == line.decode()
    assert sum(masker.mask(piece).count("***") for piece in pieces) == line.count(SECRET.encode())
    assert all(len(piece) <= LONGEST_LINE for piece in pieces)
    assert all(len(piece) > LONGEST_LINE - len(SECRET) for piece in pieces[:-1])
    assert len(line) // LONGEST_LINE + 1 <= len(pieces) <= len(line) // (LONGEST_LINE - len(SECRET)) + 1
    assert max(seen) <= LONGEST_LINE + CUT_LOOKAHEAD
    assert len(seen) == len(pieces) - 1
