"""The agent wire format: framing of requests and the end-of-command marker."""

import pytest

from simulator.container.protocol import AgentRequest, EnvMode, Finished, Output, ReplyParser, handshake

NONCE = "abc123"
MARKER = b"\n\x1eabc123 7 3\x1e\n"


def test_request_is_a_header_and_its_lines():
    request = AgentRequest(7, "line one\nline two", shell="bash", user="codebuild-user", env_mode=EnvMode.CLEAN)
    assert request.encode() == b"7 clean bash codebuild-user 2\nline one\nline two\n"


def test_root_is_sent_as_a_dash():
    assert AgentRequest(1, "true").encode() == b"1 inherit sh - 1\ntrue\n"


def test_marker_is_stripped_with_its_leading_newline():
    parser = ReplyParser(NONCE)
    assert parser.feed(b"hello\n" + MARKER) == [Output(b"hello\n"), Finished(7, 3)]


def test_output_without_final_newline_is_kept_exactly():
    parser = ReplyParser(NONCE)
    assert parser.feed(b"no newline" + MARKER) == [Output(b"no newline"), Finished(7, 3)]


def test_marker_split_across_reads_is_recognised():
    parser = ReplyParser(NONCE)
    events = []
    for index in range(0, len(b"out" + MARKER)):
        events += parser.feed((b"out" + MARKER)[index : index + 1])
    assert b"".join(e.data for e in events if isinstance(e, Output)) == b"out"
    assert [e for e in events if isinstance(e, Finished)] == [Finished(7, 3)]


def test_marker_with_another_nonce_is_plain_output():
    parser = ReplyParser(NONCE)
    fake = b"\n\x1eother 7 3\x1e\n"
    events = parser.feed(fake)
    assert b"".join(e.data for e in events if isinstance(e, Output)) + parser.flush() == fake
    assert not [e for e in events if isinstance(e, Finished)]


def test_two_commands_in_one_read():
    parser = ReplyParser(NONCE)
    second = b"\n\x1eabc123 8 0\x1e\n"
    assert parser.feed(b"a" + MARKER + b"b" + second) == [
        Output(b"a"),
        Finished(7, 3),
        Output(b"b"),
        Finished(8, 0),
    ]


def test_the_handshake_is_the_nonce_on_a_line_of_its_own():
    assert handshake("0123abcd") == b"0123abcd\n"


def test_a_nonce_that_could_break_the_handshake_line_is_refused():
    with pytest.raises(ValueError, match="letters and digits only"):
        handshake("ab\ncd")


def output(events):
    return b"".join(e.data for e in events if isinstance(e, Output))


def test_a_line_then_silence_is_handed_out_whole_when_released():
    # Found running a pipeline: `echo started; sleep 60` showed `started` only after the sleep, its newline held
    # back (a marker starts with one) and the line splitter waiting for it.
    parser = ReplyParser(NONCE)
    assert parser.feed(b"started\n") == [Output(b"started")]
    assert parser.release() == [Output(b"\n")]
    assert parser.release() == []  # once
    assert parser.feed(b"done\n" + MARKER) == [Output(b"done\n"), Finished(7, 3)]


def test_a_released_newline_that_a_marker_starts_with_is_not_handed_out_twice():
    parser = ReplyParser(NONCE)
    events = parser.feed(b"hello\n") + parser.release() + parser.feed(MARKER)
    assert output(events) == b"hello\n"
    assert [e for e in events if isinstance(e, Finished)] == [Finished(7, 3)]
    # Even if the marker's own newline was the one released (a pause inside the marker).
    events = parser.feed(b"abc" + MARKER[:1]) + parser.release() + parser.feed(MARKER[1:])
    assert output(events) == b"abc\n"
    assert [e for e in events if isinstance(e, Finished)] == [Finished(7, 3)]


def test_a_marker_on_its_way_is_never_released():
    parser = ReplyParser(NONCE)
    assert output(parser.feed(b"x" + MARKER[:5])) == b"x"
    assert parser.release() == []
    assert parser.feed(MARKER[5:]) == [Finished(7, 3)]
