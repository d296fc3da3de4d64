import pytest

from textforge.analysis import closest_matches, flesch_reading_ease, jaccard, levenshtein, text_similarity, word_frequencies
from textforge.analysis.similarity import similarity_ratio
from textforge.analysis.stats import average_sentence_length, count_syllables, lexical_diversity


def test_word_frequencies():
    text = "The cat and the hat. The cat sat."
    assert word_frequencies(text) == [("the", 3), ("cat", 2), ("and", 1), ("hat", 1), ("sat", 1)]
    assert word_frequencies(text, stopwords={"The", "and"}, top=1) == [("cat", 2)]


def test_syllables_and_readability():
    assert [count_syllables(w) for w in ("cat", "table", "make", "banana", "queue")] == [1, 2, 1, 3, 1]
    assert flesch_reading_ease("The cat sat on the mat.") > 100
    assert flesch_reading_ease("") == 0.0
    assert average_sentence_length("One two. Three four five six.") == 3.0
    assert lexical_diversity("a a b b") == 0.5


def test_levenshtein_and_ratio():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("flaw", "lawn") == 2
    assert similarity_ratio("abcd", "abcf") == pytest.approx(0.75)
    assert similarity_ratio("", "") == 1.0


def test_jaccard_and_text_similarity():
    assert jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert jaccard(["a"], []) == 0.0
    assert text_similarity("The Cat", "the cat sat") == pytest.approx(2 / 3)


def test_closest_matches():
    assert closest_matches("appel", ["ape", "apple", "peach", "apply"]) == ["ape", "apple", "apply"]
    assert closest_matches("aple", ["maple", "apple", "ample"], n=2) == ["maple", "apple"]
    assert closest_matches("kitten", ["sitting", "kitchen", "mitten"], cutoff=0.5) == ["mitten", "kitchen", "sitting"]
    assert closest_matches("zzz", ["apple"]) == []
