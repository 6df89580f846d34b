"""Policies (SPEC 2 `policies`, 4.5), each value in force from its year until the next given year.

* ``min_green_share[f, zone, p]``: green MW bought >= value x (grid + green MW bought) over the
  zone's regions (blank zone = whole system), in yearly energy: hours-weighted over the slices.
* ``carbon_cap[f, zone, p]``: sum over slices of hours x grid MW x grid_co2 / 1e6 <= value
  (million t CO2/year), counted where the power is bought.
* ``min_zone_capacity_share[zone, p]``: racks in service in the zone (idle ones too) >= value x all racks.
* ``min_zone_build_share[zone, p]``: racks built in the zone from start_year up to and including
  period p >= value x racks built everywhere over the same periods (SPEC 7.5b; planned builds
  count, retirements do not).

A policy zone matches the regions with that zone and those with that tag (``data.zones``).

Green share and carbon cap can always be met by leaving demand unserved, so they never make the
LP infeasible; the zone capacity share can (with build limits), and then the solve says so.
"""
from __future__ import annotations

from pyomo.core import Constraint

from .elastic import slack
from .power import HOURS_PER_YEAR
from .registry import Feature, Policy, Price
from .slices import at

# What each policy kind adds, and how its shadow price is reported (positive, per unit of its own)
POLICIES = (
    Policy("min_green_share", "min_green_share", ("future", "zone", "period"), per_future=True),
    Policy("carbon_cap_mt", "carbon_cap", ("future", "zone", "period"), per_future=True),
    Policy("min_zone_capacity_share", "min_zone_capacity_share", ("zone", "period"), per_future=False, plan_only=True),
    Policy("min_zone_build_share", "min_zone_build_share", ("zone", "period"), per_future=False, plan_only=True),
)
PRICES = (
    Price("min_green_share", "min_green_share", ("future", "zone", "period"), "{currency}/MWh of green",
          divide=HOURS_PER_YEAR, positive=True, only_binding=True),
    Price("carbon_cap", "carbon_cap", ("future", "zone", "period"), "{currency}/t CO2", divide=1e6, positive=True,
          only_binding=True),
    Price("min_zone_capacity_share", "min_zone_capacity_share", ("zone", "period"), "{currency}/rack-year",
          per_future=False, positive=True, only_binding=True),
    # a one-off quantity (racks built by then): undiscounted to its year, not spread over the period
    Price("min_zone_build_share", "min_zone_build_share", ("zone", "period"), "{currency}/rack built",
          per_future=False, positive=True, only_binding=True, undiscount="year"),
)


def add(m, data) -> None:
    pol = data.policies
    zones = data.zones
    co2 = data.supply["grid_co2"].to_dict()
    weight, hours = data.slices["weight"].to_dict(), data.slices["hours"].to_dict()

    def yearly(var, f, r, p):
        """Yearly average MW of a per-slice variable (hours-weighted; the variable itself without slices)."""
        if not m.sliced:
            return var[f, r, p]
        return sum(weight[sl] * var[f, r, p, sl] for sl in m.SLICES)

    def rows(kind):
        chosen = pol[pol["policy"] == kind]
        return {(z, p): v for z, p, v in zip(chosen["zone"], chosen["period"], chosen["value"])}

    green_share = rows("min_green_share")
    green_index = [(f, z, p) for f in m.FUTURES for z, p in sorted(green_share)]
    green_gap = slack(m, "min_green_share_shortfall_mw", green_index, "min_green_share", "MW of green power")

    def green(m, f, z, p):
        members = zones[z]
        green_mw = sum(yearly(m.green_power_mw, f, r, p) for r in members
                       if (f, r, p) + at(m, m.SLICES.first()) in m.green_power_mw)
        grid_mw = sum(yearly(m.grid_power_mw, f, r, p) for r in members)
        gap = green_gap[f, z, p] if green_gap is not None else 0
        return green_mw + gap >= green_share[(z, p)] * (green_mw + grid_mw)

    m.min_green_share = Constraint(green_index, rule=green)

    carbon = rows("carbon_cap_mt")
    carbon_index = [(f, z, p) for f in m.FUTURES for z, p in sorted(carbon)]
    carbon_excess = slack(m, "carbon_cap_excess_mt", carbon_index, "carbon_cap_mt", "Mt CO2 a year")

    def cap(m, f, z, p):
        emitting = [r for r in zones[z] if co2[(f, r, p)] > 0]
        if not emitting:
            return Constraint.Skip  # nothing in the zone emits: the cap holds whatever happens
        excess = carbon_excess[f, z, p] if carbon_excess is not None else 0
        return sum(hours[sl] * co2[(f, r, p)] / 1e6 * m.grid_power_mw[(f, r, p) + at(m, sl)] for r in emitting
                   for sl in m.SLICES) <= carbon[(z, p)] + excess

    m.carbon_cap = Constraint(carbon_index, rule=cap)

    zone_share = rows("min_zone_capacity_share")
    zone_index = sorted(zone_share)
    zone_gap = slack(m, "min_zone_capacity_share_shortfall_racks", zone_index, "min_zone_capacity_share", "racks")

    def capacity(m, z, p):
        gap = zone_gap[z, p] if zone_gap is not None else 0
        return sum(m.racks_in_service[r, p] for r in zones[z]) + gap >= \
            zone_share[(z, p)] * sum(m.racks_in_service[r, p] for r in m.REGIONS)

    m.min_zone_capacity_share = Constraint(zone_index, rule=capacity)

    build_share = rows("min_zone_build_share")
    build_index = sorted(build_share)
    build_gap = slack(m, "min_zone_build_share_shortfall_racks", build_index, "min_zone_build_share", "racks built")
    starts = list(m.PERIODS)

    def built_share(m, z, p):
        so_far = [q for q in starts if q <= p]
        gap = build_gap[z, p] if build_gap is not None else 0
        return sum(m.racks_built[r, q] for r in zones[z] for q in so_far) + gap >= \
            build_share[(z, p)] * sum(m.racks_built[r, q] for r in m.REGIONS for q in so_far)

    m.min_zone_build_share = Constraint(build_index, rule=built_share)

    m.registry.policies.extend(POLICIES)
    m.registry.prices.extend(PRICES)
    m.registry.plan_only.extend(p.constraint for p in POLICIES if p.plan_only)


FEATURE = Feature("policies", add, requires=("power", "racks"))
