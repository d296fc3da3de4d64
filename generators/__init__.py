"""Generators: benchmark cases from real repositories, and training data from trajectories."""
