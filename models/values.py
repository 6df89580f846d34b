"""Values of model components as tidy pandas Series, for the features' ``extract`` functions."""
from __future__ import annotations

import pandas as pd


def series(var, names: list[str]) -> pd.Series:
    """A variable's values, indexed by ``names`` (a blank value, left out of the LP, is 0)."""
    values = var.extract_values()
    if not values:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=names))
    keys = [k if isinstance(k, tuple) else (k,) for k in values]
    index = pd.MultiIndex.from_tuples(keys, names=names)
    return pd.Series(list(values.values()), index=index, dtype=float).fillna(0.0)


def duals(m, con, names: list[str]) -> pd.Series:
    """A constraint's duals (0 where the solver gave none), indexed by ``names``."""
    values = {k: m.dual.get(con[k], 0.0) for k in con}
    if not values:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=names))
    keys = [k if isinstance(k, tuple) else (k,) for k in values]
    return pd.Series(list(values.values()), index=pd.MultiIndex.from_tuples(keys, names=names), dtype=float)
