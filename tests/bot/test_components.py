import unicodedata

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.diacritic_lemmas import DiacriticFreeLemmas
from bot.components.normalizer import VietnameseNormalizer


def test_normalizer_rewrites_text_and_moves_entities_in_training_data():
    text = "e muốn dk ks cho con thì cần hs j"
    start = text.index("dk")
    example = Message.build(
        text=text,
        intent="ask_documents",
        entities=[{"entity": "procedure", "start": start, "end": start + 5, "value": "dk ks"}],
    )
    VietnameseNormalizer().process_training_data(TrainingData([example]))
    assert example.get(TEXT) == "em muốn đăng ký khai sinh cho con thì cần hồ sơ gì"
    [entity] = example.get("entities")
    assert example.get(TEXT)[entity["start"] : entity["end"]] == "đăng ký khai sinh" == entity["value"]


def test_normalizer_keeps_synonym_values_and_handles_nfd():
    text = unicodedata.normalize("NFD", "Làm Hộ Chiếu")
    message = Message.build(
        text=text, entities=[{"entity": "procedure", "start": 4, "end": len(text), "value": "ho-chieu"}]
    )
    VietnameseNormalizer().process([message])
    assert message.get(TEXT) == "làm hộ chiếu"
    assert message.get("entities")[0]["value"] == "ho-chieu"
    assert message.get(TEXT)[4 : message.get("entities")[0]["end"]] == "hộ chiếu"


def test_lemmas_lose_diacritics():
    message = Message.build(text="hộ chiếu")
    message.set(TOKENS_NAMES[TEXT], [Token("hộ chiếu", 0, lemma="hộ chiếu")])
    DiacriticFreeLemmas().process([message])
    assert message.get(TOKENS_NAMES[TEXT])[0].lemma == "ho_chieu"
