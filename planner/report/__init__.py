"""Stage 4: the HTML report drawn from a run's tables."""
