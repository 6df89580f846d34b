"""What a plan is worth elsewhere: plans fixed and re-lived, stochastic values, robustness, infeasibility, sweeps, comparison."""
