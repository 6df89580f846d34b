"""Stage 1: input files to a validated case (schema, reading, checks, scenarios, the template)."""
