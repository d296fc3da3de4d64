"""Text statistics, readability scores and string similarity."""

from textforge.analysis.similarity import closest_matches, jaccard, levenshtein, text_similarity
from textforge.analysis.stats import flesch_reading_ease, word_frequencies

__all__ = ["closest_matches", "jaccard", "levenshtein", "text_similarity", "flesch_reading_ease", "word_frequencies"]
