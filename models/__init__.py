"""The Pyomo formulation of the planner (see docs/formulation.md). Nothing but the model lives here."""
from .build import FEATURES, build_model
from .costs import COMPONENTS

__all__ = ["build_model", "FEATURES", "COMPONENTS"]
