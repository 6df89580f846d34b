"""What the results report equals what the model itself holds (PyPSA tests its statistics the
same way). Called on every hand-worked case by builder.solve_path."""
from __future__ import annotations

import pytest
from pyomo.environ import value


def check_outputs_match_model(results, model, solution) -> None:
    """Costs add up to the objective HiGHS reports; every feature's extract agrees with the model's
    own expressions and rows."""
    tables = results.tables()
    costs = tables["costs"]
    assert costs["discounted_cost"].sum() == pytest.approx(solution.objective, rel=1e-9, abs=1e-6)
    assert sum(results.cost_by_component().values()) == pytest.approx(solution.objective, rel=1e-9, abs=1e-6)

    energy = tables["energy"].groupby(["future", "year"])["energy_cost"].sum()
    for (f, p), e in model.energy_cost.items():
        assert energy.get((f, p), 0.0) == pytest.approx(value(e), rel=1e-9, abs=1e-6)

    traffic = results.xs["optical_traffic_tbps"]   # per slice, as the rows are
    for key, row in model.bandwidth.items():
        f, user, server, p = key[:4]
        a, b = (user, server) if (user, server, p) in model.optical_in_service_tbps else (server, user)
        carried = value(row.body) + model.optical_in_service_tbps[a, b, p].value
        assert traffic.get(key, 0.0) == pytest.approx(carried, rel=1e-9, abs=1e-9)

    received = results.xs["hvdc_received_mw"].sum()
    delivered = sum(model.hvdc_delivered_share[(k[1], k[2])] * v.value for k, v in model.hvdc_flow_mw.items())
    assert received == pytest.approx(delivered, rel=1e-9, abs=1e-9)

    for name, capex, fom in (("racks", model.racks_capex_cost, model.racks_fom_cost),
                             ("optical", model.optical_capex_cost, model.optical_fom_cost),
                             ("hvdc", model.hvdc_capex_cost, model.hvdc_fom_cost)):
        build = next(b for b in model.registry.builds if b.built.startswith(name))
        unit = results.x[f"{name}_unit_cost"]
        in_service = results.x[build.in_service]
        for p in model.PERIODS:
            reported = sum(c * in_service[k] for k, c in unit.items() if k[-1] == p)
            assert reported == pytest.approx(value(capex[p]) + value(fom[p]), rel=1e-6, abs=1e-6), (name, p)
