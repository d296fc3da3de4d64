"""Task generators: turn repositories and case specifications into validated task banks."""
