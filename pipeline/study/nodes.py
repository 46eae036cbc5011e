"""The node types of the study language (docs/study-language.md), as frozen objects.

A study is a tree of named criteria. Each criterion is one node: a population
fact (registered, alive, age, sex), a rule over coded records (records, latest,
value) or a combination of other criteria by name (all, any, not). Every node
has one meaning at the index date D; the compiler (pipeline/study/compile_nodes.py)
turns each type into a per-patient flag and the evidence rows that prove it.
The objects hold numbers, names and codelist aliases only, never SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

# Comparisons a value rule may use; the compiler maps each to a fixed SQL operator.
OPERATORS = (">=", ">", "<=", "<", "=")
SEXES = ("F", "M", "I", "U")
SOURCES = ("events", "medications")


@dataclass(frozen=True)
class Registered:
    """Registered on D: registration_date <= D and (no deregistration or deregistration > D)."""


@dataclass(frozen=True)
class Alive:
    """Alive on D: no date of death, or a date of death after D."""


@dataclass(frozen=True)
class Age:
    """Aged MIN to MAX in completed years on D (both included); born 29 February:
    the birthday is 1 March in a year without one."""

    min: int
    max: int


@dataclass(frozen=True)
class Sex:
    """The patient's recorded sex is one of VALUES."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class Unless:
    """A record from CODELIST (with a category in CATEGORY_IN, if given) dated after
    the latest matched record (or on the same day too, when SAME_DAY) cancels the rule."""

    codelist: str
    category_in: tuple[str, ...] = ()
    same_day: bool = False


@dataclass(frozen=True)
class Records:
    """At least MIN_COUNT records from CODELIST dated within WITHIN_DAYS of D
    (D - WITHIN_DAYS <= date <= D; None: any date on or before D), the latest at
    least MIN_SPAN_DAYS after the earliest; DISTINCT_DATES counts days, not records.
    SOURCE limits the records to events or medications; CATEGORY_IN to codes of
    those categories. UNLESS: a later record from another codelist cancels it."""

    codelist: str
    within_days: int | None = None
    min_count: int = 1
    min_span_days: int = 0
    distinct_dates: bool = False
    source: str | None = None
    category_in: tuple[str, ...] = ()
    unless: Unless | None = None


@dataclass(frozen=True)
class Latest:
    """The records from CODELIST on the latest date within WITHIN_DAYS of D (every
    record on that date counts): holds when any of them has a category in CATEGORY_IN."""

    codelist: str
    category_in: tuple[str, ...]
    within_days: int | None = None


@dataclass(frozen=True)
class Value:
    """The value (events.value) of records from CODELIST within WITHIN_DAYS of D
    compared with THRESHOLD by OPERATOR. WHICH='latest': every value on the latest
    date with a value must pass; WHICH='any': at least one value in the window passes."""

    codelist: str
    operator: str
    threshold: float
    within_days: int | None = None
    which: str = "latest"


@dataclass(frozen=True)
class All:
    """Every named criterion holds."""

    of: tuple[str, ...]


@dataclass(frozen=True)
class Any:
    """At least one named criterion holds."""

    of: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    """The named criterion does not hold."""

    of: str


Node = Registered | Alive | Age | Sex | Records | Latest | Value | All | Any | Not
RECORD_NODES = (Records, Latest, Value)
POPULATION_NODES = (Registered, Alive, Age, Sex)


@dataclass(frozen=True)
class Criterion:
    """A named node with its plain-words label (what attrition, the report and explain show)."""

    name: str
    label: str
    node: Node

    @property
    def kind(self) -> str:
        return type(self.node).__name__.lower()

    def members(self) -> tuple[str, ...]:
        """The criteria this one refers to by name."""
        node = self.node
        if isinstance(node, All | Any):
            return node.of
        if isinstance(node, Not):
            return (node.of,)
        return ()

    def codelists(self) -> tuple[str, ...]:
        """The codelist aliases this node reads."""
        node = self.node
        if isinstance(node, Records):
            return (node.codelist,) + ((node.unless.codelist,) if node.unless else ())
        if isinstance(node, Latest | Value):
            return (node.codelist,)
        return ()


@dataclass(frozen=True)
class Step:
    """One eligibility step, in order: REQUIRE a criterion to hold or EXCLUDE when it holds.

    STOP is the name population.stopped_by records for patients this step stops;
    LABEL describes the patients who remain (attrition, flow chart, explain)."""

    stop: str
    criterion: str
    exclude: bool
    label: str


# The built-in final steps every study gets, after its own: (stop name, label).
BUILT_IN_STEPS = (
    ("already_invited", "Not already invited"),
    ("do_not_contact", "Not on the do-not-contact list"),
    ("screened_out", "Not screened out by a GP before"),
    ("data_quality", "Not held back for data quality"),
)
