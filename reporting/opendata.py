"""The observatory's open data: one row per published cell (a slice of one table, for one period), the
small-cell suppression already applied, as JSON or CSV, and the codebook that explains every column."""

import csv
import io
from datetime import timedelta

from reporting.selectors import DIMENSION_LABELS, Observatory

DIMENSIONS = ["sector", "area", "size_band", "theme", "capability", "module"]
TABLE_FAMILIES = {"merchants": "commerces", "themes": "thèmes", "capabilities": "compétences"}
HIDDEN = "hidden_measures"


def _family(table: str) -> str:
    if table.startswith("theme"):
        return "themes"
    if table.startswith("capability"):
        return "capabilities"
    return "merchants"


def measure_names(observatory: Observatory) -> list[str]:
    names: dict = {}
    for measures in observatory.measures.values():
        names |= dict.fromkeys(m.name for m in measures)
    return list(names)


def rows(observatory: Observatory, *, table: str | None = None) -> list[dict]:
    """Flat rows (one per cell): period, table, each dimension's code and French label, every measure (None
    when hidden by the small-cell rule or not applicable to the table), and the hidden measures' names."""
    period = observatory.period
    out = []
    for cell in observatory.cells:
        if table and cell.table != table:
            continue
        row = {
            "period": period.key,
            "period_start": period.start.isoformat(),
            "period_end": (period.end - timedelta(days=1)).isoformat(),
            "table": cell.table,
        }
        for dimension in DIMENSIONS:
            value = cell.dimensions.get(dimension)
            row[dimension] = value or ""
            row[f"{dimension}_label"] = observatory.label(dimension, value) if value else ""
        row |= {name: cell.values.get(name) for name in measure_names(observatory)}
        row[HIDDEN] = cell.hidden
        out.append(row)
    return out


def as_json(observatory: Observatory, *, table: str | None = None) -> dict:
    return {
        "period": {
            "key": observatory.period.key,
            "label": observatory.period.label,
            "start": observatory.period.start.isoformat(),
            "end": (observatory.period.end - timedelta(days=1)).isoformat(),
        },
        "min_cell_size": observatory.k,
        "rows": rows(observatory, table=table),
    }


def as_csv(observatory: Observatory, *, table: str | None = None) -> str:
    """UTF-8 CSV (comma-separated, one header row); hidden figures are empty and named in `hidden_measures`
    (separated by "|")."""
    data = rows(observatory, table=table)
    buffer = io.StringIO()
    columns = list(codebook_columns(observatory))
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow(
            {
                key: ("|".join(value) if key == HIDDEN else ("" if value is None else value))
                for key, value in row.items()
            }
        )
    return buffer.getvalue()


def codebook_columns(observatory: Observatory) -> dict:
    """column → {label, type, description} (French: the open data's readers are the agency's partners)."""
    columns = {
        "period": {
            "type": "texte",
            "label": "Période",
            "description": "« AAAA-MM » (mois), « AAAA-Tn » (trimestre) ou « AAAA » (année).",
        },
        "period_start": {"type": "date", "label": "Premier jour de la période", "description": "Format AAAA-MM-JJ."},
        "period_end": {
            "type": "date",
            "label": "Dernier jour de la période",
            "description": "Format AAAA-MM-JJ, inclus.",
        },
        "table": {
            "type": "texte",
            "label": "Tableau",
            "description": "Le croisement publié : « total », une dimension (« sector », « area »…) ou deux séparées par « × ». "
            "Une ligne = une case de ce tableau ; une dimension vide = toutes ses valeurs.",
        },
    }
    for dimension in DIMENSIONS:
        label = DIMENSION_LABELS[dimension]
        columns[dimension] = {"type": "code", "label": f"{label} (code)", "description": _DIMENSION_HELP[dimension]}
        columns[f"{dimension}_label"] = {
            "type": "texte",
            "label": label,
            "description": f"Libellé en français : {label.lower()}.",
        }
    seen = set()
    for family, measures in observatory.measures.items():
        for measure in measures:
            if measure.name in seen:
                columns[measure.name]["description"] += f" Tableaux {TABLE_FAMILIES[family]} : {measure.label}."
                continue
            seen.add(measure.name)
            base = (
                "" if measure.base == measure.name else f" Calculé sur les commerces comptés dans « {measure.base} »."
            )
            columns[measure.name] = {
                "type": "entier" if measure.kind in ("count", "sum") else "décimal",
                "label": measure.label,
                "description": f"Tableaux {TABLE_FAMILIES[family]} : {measure.label} ({measure.unit}).{base}",
            }
    columns[HIDDEN] = {
        "type": "texte",
        "label": "Chiffres masqués",
        "description": f"Les mesures masquées par le secret statistique (calculées sur moins de {observatory.k} commerces, "
        "ou masquées avec elles pour qu'aucune ne se déduise des totaux), séparées par « | ». Une mesure vide qui n'est pas "
        "listée ici ne s'applique pas à ce tableau (une moyenne sans aucun commerce, par exemple).",
    }
    return columns


_DIMENSION_HELP = {
    "sector": "Slug du secteur d'activité (taxonomie du produit) ; « non-renseigne » si le commerce ne l'a pas indiqué.",
    "area": "Code officiel géographique (INSEE) de l'arrondissement de Marseille (13201 à 13216) ou de la commune de la "
    "métropole Aix-Marseille-Provence (pour des communes qui partagent un code postal, celui de la première) ; "
    "« hors-metropole » ; « non-renseigne ».",
    "size_band": "Tranche d'effectif : seul, 2-5, 6-10, 11-49 ; « non-renseigne ».",
    "theme": "Slug du thème (être visible, vendre en ligne…) pour les tableaux par thème.",
    "capability": "Slug de la compétence numérique (fiche d'établissement, paiement sans contact…).",
    "module": "Slug du module dont la complétion a apporté la compétence (tableau « capability×module »).",
}


def codebook(observatory: Observatory) -> dict:
    return {
        "title": "Baromètre de la transition numérique des commerces marseillais — dictionnaire des données",
        "min_cell_size": observatory.k,
        "population": "Les commerces actifs sur la période (un événement d'usage, un autodiagnostic ou une demande "
        "d'accompagnement datés de la période), y compris les enregistrements anonymisés des comptes effacés.",
        "suppression": f"Aucun chiffre calculé sur moins de {observatory.k} commerces n'est publié ; d'autres cases sont "
        "masquées avec lui pour qu'il ne se déduise pas des totaux de ligne ou de colonne.",
        "columns": [{"name": name} | info for name, info in codebook_columns(observatory).items()],
    }
