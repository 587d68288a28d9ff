"""Where a shop and a school are, as far as matching needs: the Marseille arrondissement of a postcode and a
rough distance between two postcodes (arrondissement centroids; elsewhere the same département counts as near).
No geocoding service: a postcode is all we hold, and an approximate kilometre is all a coordinator needs."""

from math import asin, cos, radians, sin, sqrt

# Approximate centroid (latitude, longitude) of each of Marseille's 16 arrondissements.
MARSEILLE_CENTROIDS = {
    "13001": (43.2999, 5.3841),
    "13002": (43.3128, 5.3633),
    "13003": (43.3120, 5.3797),
    "13004": (43.3063, 5.4008),
    "13005": (43.2928, 5.3978),
    "13006": (43.2872, 5.3812),
    "13007": (43.2826, 5.3608),
    "13008": (43.2400, 5.3800),
    "13009": (43.2370, 5.4370),
    "13010": (43.2760, 5.4260),
    "13011": (43.2890, 5.4840),
    "13012": (43.3080, 5.4410),
    "13013": (43.3490, 5.4330),
    "13014": (43.3450, 5.3920),
    "13015": (43.3590, 5.3640),
    "13016": (43.3640, 5.3150),
}
# Beyond Marseille: a few towns of the metropolis, by postcode.
NEARBY_CENTROIDS = {
    "13090": (43.5297, 5.4474),  # Aix-en-Provence
    "13100": (43.5297, 5.4474),
    "13127": (43.4167, 5.2150),  # Vitrolles
    "13400": (43.2927, 5.5708),  # Aubagne
    "13600": (43.1748, 5.6046),  # La Ciotat
    "13700": (43.4360, 5.2150),  # Marignane
}
UNKNOWN_DISTANCE_KM = 50.0


def arrondissement_label(postcode: str) -> str:
    """ "Marseille 1er", "Marseille 13e", or "code postal 13100" elsewhere; empty when unknown."""
    if postcode in MARSEILLE_CENTROIDS:
        number = int(postcode[-2:])
        return f"Marseille {number}{'er' if number == 1 else 'e'}"
    return f"code postal {postcode}" if postcode else ""


def _centroid(postcode: str):
    return MARSEILLE_CENTROIDS.get(postcode) or NEARBY_CENTROIDS.get(postcode)


def distance_km(postcode_a: str, postcode_b: str) -> float:
    """Great-circle distance between two postcodes' centroids; 0 for the same postcode, 25 km within the same
    département when one centroid is unknown, UNKNOWN_DISTANCE_KM otherwise."""
    if not postcode_a or not postcode_b:
        return UNKNOWN_DISTANCE_KM
    if postcode_a == postcode_b:
        return 0.0
    a, b = _centroid(postcode_a), _centroid(postcode_b)
    if a is None or b is None:
        return 25.0 if postcode_a[:2] == postcode_b[:2] else UNKNOWN_DISTANCE_KM
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return round(2 * 6371.0 * asin(sqrt(h)), 1)
