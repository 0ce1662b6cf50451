"""The held-out evaluation names what each missed example got wrong, and gates on the figures."""

from tools.evaluate import Miss, StyleReport, check_gate, misses_of


def test_a_right_example_has_no_misses() -> None:
    keys = {("procedure", "ho chieu")}
    assert misses_of("làm hộ chiếu hết bao nhiêu", "ask_fee", "ask_fee", keys, keys, "ho-chieu", "ho-chieu") == []


def test_each_kind_of_miss_is_named_with_what_was_expected_and_what_came() -> None:
    misses = misses_of(
        "làm hộ chiếu hết bao nhiêu",
        "ask_fee",
        "ask_documents",
        {("procedure", "ho chieu")},
        {("procedure", "lam ho chieu")},
        "ho-chieu",
        "__not_found__",
    )
    assert misses == [
        Miss("làm hộ chiếu hết bao nhiêu", "intent", "ask_fee", "ask_documents"),
        Miss("làm hộ chiếu hết bao nhiêu", "entity", "procedure:ho chieu", "procedure:lam ho chieu"),
        Miss("làm hộ chiếu hết bao nhiêu", "procedure", "ho-chieu", "__not_found__"),
    ]


def test_an_example_without_a_procedure_is_not_judged_on_resolution() -> None:
    assert misses_of("chào bạn", "greet", "greet", set(), {("procedure", "ban")}, None, None) == [
        Miss("chào bạn", "entity", "-", "procedure:ban")
    ]


def test_the_gate_names_every_figure_below_its_minimum() -> None:
    report = StyleReport("none", 50, 0.9, 0.7, 0.6, 30, 1.0)
    failures = check_gate([report], {"none": {"intent_accuracy": 0.8, "intent_macro_f1": 0.75}, "teencode": {}})
    assert failures == ["none: intent_macro_f1 0.700 < 0.750", "teencode: no held-out file"]
