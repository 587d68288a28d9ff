"""Where a merchant is, for the observatory: Marseille's 16 arrondissements from their postcodes 13001–13016,
the rest of the Aix-Marseille-Provence metropolis by commune (from `data/amp_postcodes.csv`), everything
else as one area. Pure Python (no Django), loaded once.

A postcode shared by several communes cannot tell them apart, so communes linked by a shared postcode form
one area (the connected components of the postcode–commune graph), named after its commune with the most
postcodes ("Aix-en-Provence et communes voisines") or after both communes when there are two.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "amp_postcodes.csv"

OUTSIDE = "hors-metropole"
UNKNOWN = "non-renseigne"


@dataclass(frozen=True)
class Area:
    code: str  # the INSEE code of the arrondissement or of the area's first commune; OUTSIDE or UNKNOWN
    label: str
    kind: str  # "arrondissement", "commune", "outside", "unknown"
    communes: tuple[str, ...] = ()

    @property
    def in_marseille(self) -> bool:
        return self.kind == "arrondissement"


OUTSIDE_AREA = Area(OUTSIDE, "Hors métropole", "outside")
UNKNOWN_AREA = Area(UNKNOWN, "Code postal non renseigné", "unknown")


def read_table(path: Path = TABLE) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["postcode"], row["insee_code"], row["commune"]) for row in csv.DictReader(handle)]


@cache
def _areas() -> tuple[dict[str, Area], tuple[Area, ...]]:
    rows = read_table()
    names = {insee: name for _, insee, name in rows}
    postcodes_of: dict[str, set[str]] = {}
    communes_of: dict[str, set[str]] = {}
    for postcode, insee, _ in rows:
        postcodes_of.setdefault(insee, set()).add(postcode)
        communes_of.setdefault(postcode, set()).add(insee)

    # Connected components of the bipartite postcode–commune graph.
    component_of: dict[str, int] = {}
    components: list[set[str]] = []
    for start in sorted(names):
        if start in component_of:
            continue
        members, stack = set(), [start]
        while stack:
            insee = stack.pop()
            if insee in members:
                continue
            members.add(insee)
            for postcode in postcodes_of[insee]:
                stack.extend(communes_of[postcode] - members)
        for insee in members:
            component_of[insee] = len(components)
        components.append(members)

    areas = []
    for members in components:
        ordered = sorted(members, key=lambda insee: (-len(postcodes_of[insee]), names[insee]))
        if len(members) == 1:
            label = names[ordered[0]]
        elif len(members) == 2:
            label = " et ".join(sorted(names[insee] for insee in members))
        else:
            label = f"{names[ordered[0]]} et communes voisines"
        kind = "arrondissement" if ordered[0].startswith("132") else "commune"
        areas.append(Area(min(members), label, kind, tuple(sorted(names[insee] for insee in members))))
    by_postcode = {postcode: areas[component_of[next(iter(insee))]] for postcode, insee in communes_of.items()}
    ordered_areas = tuple(
        sorted(areas, key=lambda area: (not area.in_marseille, area.code if area.in_marseille else area.label))
    )
    return by_postcode, ordered_areas


def area_for_postcode(postcode: str | None) -> Area:
    """The reporting area of a postcode: an arrondissement, a commune (or group), outside, or unknown."""
    if not postcode:
        return UNKNOWN_AREA
    return _areas()[0].get(postcode.strip(), OUTSIDE_AREA)


def all_areas() -> tuple[Area, ...]:
    """Every area, Marseille's arrondissements first (1er → 16e), then the other communes by name, then
    outside the metropolis and unknown."""
    return _areas()[1] + (OUTSIDE_AREA, UNKNOWN_AREA)


def area_by_code(code: str) -> Area | None:
    return next((area for area in all_areas() if area.code == code), None)
