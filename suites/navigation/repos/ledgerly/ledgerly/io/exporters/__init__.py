"""Exporters for ledger data."""
