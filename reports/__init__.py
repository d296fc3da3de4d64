"""Reports: summaries and comparisons of run directories."""
