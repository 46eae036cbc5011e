"""Population data for the synthetic practices: an age profile and a geography.

The age profile is a rounded England GP-list pyramid (per cent of the list in each
five-year band). The geography is the Solent area where the InStep pilot ran:
real towns, counties and postcode districts; the inward part of each postcode
(``6YD``) is drawn at random, so addresses look real but are not.
"""

from __future__ import annotations

from dataclasses import dataclass

# (first age of the band, width in years, per cent of a GP list)
AGE_BANDS = (
    (0, 5, 5.4),
    (5, 5, 5.9),
    (10, 5, 6.0),
    (15, 5, 5.6),
    (20, 5, 6.2),
    (25, 5, 7.0),
    (30, 5, 7.2),
    (35, 5, 7.0),
    (40, 5, 6.5),
    (45, 5, 6.4),
    (50, 5, 6.8),
    (55, 5, 6.6),
    (60, 5, 5.8),
    (65, 5, 5.0),
    (70, 5, 4.8),
    (75, 5, 3.6),
    (80, 5, 2.4),
    (85, 5, 1.4),
    (90, 10, 0.8),
)


@dataclass(frozen=True)
class Town:
    name: str
    county: str
    districts: tuple[str, ...]


TOWNS = (
    Town("Southampton", "Hampshire", ("SO14", "SO15", "SO16", "SO17", "SO18", "SO19")),
    Town("Portsmouth", "Hampshire", ("PO1", "PO2", "PO3", "PO4", "PO5", "PO6")),
    Town("Winchester", "Hampshire", ("SO22", "SO23")),
    Town("Eastleigh", "Hampshire", ("SO50", "SO53")),
    Town("Romsey", "Hampshire", ("SO51",)),
    Town("Totton", "Hampshire", ("SO40",)),
    Town("Hedge End", "Hampshire", ("SO30",)),
    Town("Fareham", "Hampshire", ("PO14", "PO15", "PO16")),
    Town("Gosport", "Hampshire", ("PO12", "PO13")),
    Town("Havant", "Hampshire", ("PO9",)),
    Town("Waterlooville", "Hampshire", ("PO7", "PO8")),
    Town("Petersfield", "Hampshire", ("GU31", "GU32")),
    Town("Alton", "Hampshire", ("GU34",)),
    Town("Andover", "Hampshire", ("SP10", "SP11")),
    Town("Basingstoke", "Hampshire", ("RG21", "RG22", "RG23", "RG24")),
    Town("Lymington", "Hampshire", ("SO41",)),
    Town("Ringwood", "Hampshire", ("BH24",)),
    Town("New Milton", "Hampshire", ("BH25",)),
    Town("Fleet", "Hampshire", ("GU51", "GU52")),
    Town("Newport", "Isle of Wight", ("PO30",)),
    Town("Ryde", "Isle of Wight", ("PO33",)),
    Town("Bournemouth", "Dorset", ("BH1", "BH6", "BH7", "BH8", "BH9", "BH10", "BH11")),
    Town("Salisbury", "Wiltshire", ("SP1", "SP2")),
)

# Street names are a first part (a surname from the name pool, or one of these)
# and a suffix.
STREET_WORDS = (
    "Church",
    "Station",
    "Mill",
    "Park",
    "Victoria",
    "High",
    "London",
    "Manor",
    "School",
    "Queens",
    "Kings",
    "Green",
    "North",
    "South",
    "West",
    "Grange",
    "Chapel",
    "Orchard",
    "Meadow",
    "Oak",
    "Elm",
    "Ash",
    "Beech",
    "Willow",
    "Cedar",
    "Hill",
    "Bridge",
    "Windmill",
    "Forest",
    "Abbey",
    "Priory",
    "Castle",
    "Harbour",
    "Shore",
    "Common",
    "Heath",
    "Valley",
)
STREET_SUFFIXES = (
    ("Road", 12),
    ("Street", 6),
    ("Lane", 6),
    ("Close", 6),
    ("Avenue", 5),
    ("Drive", 4),
    ("Way", 3),
    ("Crescent", 3),
    ("Gardens", 3),
    ("Grove", 2),
    ("Place", 2),
    ("Court", 2),
    ("Terrace", 1),
    ("Walk", 1),
    ("Mews", 1),
    ("Rise", 1),
    ("View", 1),
)
LOCALITY_SUFFIXES = ("Park", "Green", "End", "Common", "Heath", "Hill", "Vale")

PRACTICE_NAMES = (
    "{town} Health Centre",
    "{street} Surgery",
    "The {surname} Practice",
    "{town} Medical Group",
    "{street} Medical Centre",
    "{locality} Surgery",
)

# Title by sex for adults: (title, weight).
TITLES = {
    "M": (("Mr", 97), ("Dr", 2), ("Rev", 1)),
    "F": (("Mrs", 44), ("Ms", 26), ("Miss", 27), ("Dr", 3)),
}
