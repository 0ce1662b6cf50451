import pytest

from knowledge_base.language import looks_english


@pytest.mark.parametrize(
    "text",
    ["How do I apply for a passport?", "hello, what documents do I need", "where can I renew my driving license"],
)
def test_english_is_recognised(text):
    assert looks_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "lam the can cuoc cho con",  # Vietnamese without marks: "the" is thẻ, "can" is căn
        "dang ky online cho me",  # "me" is mẹ; "online" is said in Vietnamese too
        "lam visa di my",  # "my" is Mỹ
        "lam passport online",  # borrowed nouns, no English sentence
        "làm hộ chiếu cần gì",
        "hello",  # one word says too little
        "/greet",
        "passport",
        "",
    ],
)
def test_vietnamese_and_too_short_messages_are_not(text):
    assert not looks_english(text)
