"""Tokenisers: words, sentences and n-grams."""

from textforge.tokenize.ngrams import char_ngrams, ngrams
from textforge.tokenize.sentences import split_sentences
from textforge.tokenize.words import tokenize_words

__all__ = ["char_ngrams", "ngrams", "split_sentences", "tokenize_words"]
