"""Policies (SPEC 2 `policies`, 4.5), each value in force from its year until the next given year.

* ``min_green_share[f, zone, p]``: green MW bought >= value x (grid + green MW bought) over the
  zone's regions (blank zone = whole system).
* ``carbon_cap[f, zone, p]``: grid MW x 8760 x grid_co2 / 1e6 <= value (million t CO2/year),
  counted where the power is bought.
* ``min_zone_capacity_share[zone, p]``: racks in service in the zone (idle ones too) >= value x all racks.

Green share and carbon cap can always be met by leaving demand unserved, so they never make the
LP infeasible; the zone capacity share can (with build limits), and then the solve says so.
"""
from __future__ import annotations

from pyomo.environ import Constraint

from .power import HOURS_PER_YEAR


def add(m, data) -> None:
    pol = data.policies
    zones = data.zones
    co2 = data.supply["grid_co2"].to_dict()

    def rows(kind):
        chosen = pol[pol["policy"] == kind]
        return {(z, p): v for z, p, v in zip(chosen["zone"], chosen["period"], chosen["value"])}

    green_share = rows("min_green_share")

    def green(m, f, z, p):
        members = zones[z]
        green_mw = sum(m.green_power_mw[f, r, p] for r in members if (f, r, p) in m.green_power_mw)
        grid_mw = sum(m.grid_power_mw[f, r, p] for r in members)
        return green_mw >= green_share[(z, p)] * (green_mw + grid_mw)

    m.min_green_share = Constraint([(f, z, p) for f in m.FUTURES for z, p in sorted(green_share)], rule=green)

    carbon = rows("carbon_cap_mt")

    def cap(m, f, z, p):
        emitting = [r for r in zones[z] if co2[(f, r, p)] > 0]
        if not emitting:
            return Constraint.Skip  # nothing in the zone emits: the cap holds whatever happens
        return sum(HOURS_PER_YEAR * co2[(f, r, p)] / 1e6 * m.grid_power_mw[f, r, p] for r in emitting) <= carbon[(z, p)]

    m.carbon_cap = Constraint([(f, z, p) for f in m.FUTURES for z, p in sorted(carbon)], rule=cap)

    zone_share = rows("min_zone_capacity_share")

    def capacity(m, z, p):
        return sum(m.racks_in_service[r, p] for r in zones[z]) >= \
            zone_share[(z, p)] * sum(m.racks_in_service[r, p] for r in m.REGIONS)

    m.min_zone_capacity_share = Constraint(sorted(zone_share), rule=capacity)
