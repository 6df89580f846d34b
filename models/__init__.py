"""The Pyomo formulation of the planner (see docs/formulation.md). Nothing but the model lives here."""
from .build import FEATURES, build_model, extract
from .costs import COMPONENTS, components

__all__ = ["build_model", "extract", "FEATURES", "COMPONENTS", "components"]
