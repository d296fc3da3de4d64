"""Import and export of bookkeeping data."""
