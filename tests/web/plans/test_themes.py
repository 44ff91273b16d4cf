"""Common themes across units' statements: deterministic, cross-unit only, no language model."""

from __future__ import annotations

from pmf.web.plans.themes import common_themes, stem


def test_a_word_repeated_by_one_unit_is_not_a_theme() -> None:
    assert common_themes({"N": "Fleet. Fleet fleet fleet.", "S": "Recruitment."}) == []


def test_a_theme_lists_every_unit_that_mentions_it_in_order() -> None:
    found = common_themes(
        {"S": "Vehicle fleet", "N": "The fleet is old", "E": "Fleet again", "W": "Training"}
    )
    assert [(theme.phrase, theme.units) for theme in found] == [("fleet", ("E", "N", "S"))]


def test_stop_words_and_endings_are_ignored() -> None:
    found = common_themes({"N": "The delays in recruiting", "S": "recruitment delayed"})
    assert [theme.phrase for theme in found] == [
        "delayed"
    ]  # equally common: the first alphabetically
    assert stem("recruiting") == "recruit"


def test_the_same_texts_give_the_same_themes_in_any_order() -> None:
    texts = {"N": "Call handling; staff sickness", "S": "staff sickness and call handling"}
    reversed_texts = dict(reversed(list(texts.items())))
    assert common_themes(texts) == common_themes(reversed_texts)
    assert [theme.phrase for theme in common_themes(texts)] == ["call handling", "staff sickness"]


def test_a_phrase_does_not_run_across_sentences_or_stop_words() -> None:
    found = common_themes({"N": "Call. Handling.", "S": "call handling"})
    assert [theme.phrase for theme in found] == ["call", "handling"]
