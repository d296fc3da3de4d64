import pytest

from textforge.tokenize import char_ngrams, ngrams, split_sentences, tokenize_words
from textforge.tokenize.ngrams import everygrams, ngram_counts, top_ngrams
from textforge.tokenize.sentences import sentence_count
from textforge.tokenize.words import count_words, word_spans


def test_tokenize_words_keeps_contractions_hyphens_numbers():
    text = "Don't panic: the well-known value is 3.14, not 1,000!"
    assert tokenize_words(text) == ["Don't", "panic", "the", "well-known", "value", "is", "3.14", "not", "1,000"]


def test_tokenize_words_options():
    assert tokenize_words("Hi, Bob!", lowercase=True, keep_punct=True) == ["hi", ",", "bob", "!"]
    assert count_words("one  two\tthree") == 3
    assert word_spans("ab cd") == [(0, 2), (3, 5)]


def test_split_sentences_basic():
    text = "It was late.  The rain   had stopped! Was it over? Yes."
    assert split_sentences(text) == ["It was late.", "The rain had stopped!", "Was it over?", "Yes."]


def test_split_sentences_lowercase_abbreviations_and_initials():
    text = "Bring fruit, e.g. Apples and pears. J. R. R. Tolkien wrote it. Done."
    assert split_sentences(text) == ["Bring fruit, e.g. Apples and pears.", "J. R. R. Tolkien wrote it.", "Done."]
    assert sentence_count("") == 0


def test_split_sentences_quotes():
    assert split_sentences('He said "stop." Then he left.') == ['He said "stop."', "Then he left."]


def test_ngrams():
    assert ngrams(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert ngrams(["a"], 2) == []
    with pytest.raises(ValueError):
        ngrams(["a"], 0)


def test_char_ngrams_and_counts():
    assert char_ngrams("abcd", 3) == ["abc", "bcd"]
    assert ngram_counts("abab", 2)[("a", "b")] == 2
    assert everygrams("abc", 1, 2) == [("a",), ("b",), ("c",), ("a", "b"), ("b", "c")]
    assert top_ngrams("the cat the cat sat".split(), 2, 1) == [(("the", "cat"), 2)]
