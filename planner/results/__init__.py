"""Stage 3: the solved model to tidy tables, exported to workbooks and CSV, and read back."""
