"""Stage 2: a validated case to the numbers each model period uses, and the LP solved by HiGHS."""
