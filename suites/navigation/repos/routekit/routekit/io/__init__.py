"""Serialisation of graphs and routes."""
