"""The REST channel refuses malformed bodies with a reason and never lets a client pick its channel."""

import json

import pytest

from bot.channels.rest import BadRequest, read_body


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "body must be JSON"),
        (b"{not json", "body must be JSON"),
        (b"\xff\xfe", "body must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"hello"', "JSON object"),
        (b'{"message": "xin chao"}', '"sender" is required'),
        (b'{"sender": "", "message": "xin chao"}', '"sender" is required'),
        (b'{"sender": 5, "message": "xin chao"}', '"sender" is required'),
        (b'{"sender": "zalo:123456", "message": "xin chao"}', '":" is reserved'),
        (b'{"sender": "telegram:42", "message": "xin chao"}', '":" is reserved'),
        (b'{"sender": "a b", "message": "xin chao"}', "1-128 letters"),
        (b'{"sender": "' + b"a" * 129 + b'", "message": "x"}', "1-128 letters"),
        (b'{"sender": "0912345678", "message": "xin chao"}', "personal data"),
        (b'{"sender": "001203004567", "message": "xin chao"}', "personal data"),
        (b'{"sender": "a", "message": null}', "non-empty string"),
        (b'{"sender": "a", "message": ["x"]}', "non-empty string"),
        (b'{"sender": "a", "message": "   "}', "non-empty string"),
        (b'{"sender": "a", "message": "x", "metadata": [1]}', "must be a JSON object"),
        (b'{"sender": "a", "message": "x", "metadata": {"k": "' + b"v" * 3000 + b'"}}', "at most 2048 bytes"),
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(body, reason):
    with pytest.raises(BadRequest, match=reason.replace("(", r"\(").replace('"', '"')):
        read_body(body)


def test_channel_in_the_body_is_ignored():
    sender, text, metadata = read_body(
        json.dumps(
            {"sender": "citizen-1", "message": "xin chào", "input_channel": {"a": 1}, "metadata": {"page": "x"}}
        ).encode()
    )
    assert (sender, text, metadata) == ("citizen-1", "xin chào", {"page": "x"})


def test_deeply_nested_body_is_refused_not_a_crash():
    with pytest.raises(BadRequest, match="body must be JSON"):
        read_body(b'{"sender": "a", "message": "x", "metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
