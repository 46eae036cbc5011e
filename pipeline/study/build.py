"""Build the frozen criteria and steps of a study from its already checked mapping."""

from __future__ import annotations

from pipeline.study import nodes as N

NODE_KEYS = ("registered", "alive", "age", "sex", "records", "latest", "value", "all", "any", "not")


def node_key(spec: dict) -> list[str]:
    """The node-type keys a criterion's mapping uses (exactly one when valid)."""
    return [k for k in NODE_KEYS if k in spec]


def build_criteria(criteria: dict) -> tuple[N.Criterion, ...]:
    return tuple(
        N.Criterion(name=name, label=str(spec["label"]).strip(), node=build_node(spec))
        for name, spec in criteria.items()
    )


def build_node(spec: dict) -> N.Node:
    (kind,) = node_key(spec)
    value = spec[kind]
    return BUILDERS[kind](value)


def _records(v: dict) -> N.Records:
    unless = v.get("unless_later")
    return N.Records(
        codelist=v["codelist"],
        within_days=v.get("within_days"),
        min_count=v.get("min_count") or 1,
        min_span_days=v.get("min_span_days") or 0,
        distinct_dates=bool(v.get("distinct_dates")),
        source=v.get("source"),
        category_in=tuple(v.get("category_in") or ()),
        unless=N.Unless(
            codelist=unless["codelist"],
            category_in=tuple(unless.get("category_in") or ()),
            same_day=bool(unless.get("same_day")),
        )
        if unless
        else None,
    )


def _latest(v: dict) -> N.Latest:
    return N.Latest(
        codelist=v["codelist"],
        category_in=tuple(v["category_in"]),
        within_days=v.get("within_days"),
    )


def _value(v: dict) -> N.Value:
    return N.Value(
        codelist=v["codelist"],
        operator=v["operator"],
        threshold=v["threshold"],
        within_days=v.get("within_days"),
        which=v.get("which") or "latest",
    )


BUILDERS = {
    "registered": lambda v: N.Registered(),
    "alive": lambda v: N.Alive(),
    "age": lambda v: N.Age(min=v["min"], max=v["max"]),
    "sex": lambda v: N.Sex(values=tuple(v)),
    "records": _records,
    "latest": _latest,
    "value": _value,
    "all": lambda v: N.All(of=tuple(v)),
    "any": lambda v: N.Any(of=tuple(v)),
    "not": lambda v: N.Not(of=v),
}


def build_steps(
    data: dict, criteria: tuple[N.Criterion, ...], *, out_of_work_stop: str
) -> tuple[N.Step, ...]:
    """The study's own steps in order; the out-of-work step last when the study requires it."""
    labels = {c.name: c.label for c in criteria}
    steps = []
    for spec in data["steps"]:
        exclude = "exclude" in spec
        name = spec["exclude"] if exclude else spec["require"]
        label = spec.get("label") or (f"Not: {labels[name]}" if exclude else labels[name])
        steps.append(
            N.Step(stop=spec.get("stop") or name, criterion=name, exclude=exclude, label=label)
        )
    evidence = data.get("out_of_work_evidence")
    if evidence and data.get("require_out_of_work_evidence"):
        steps.append(N.Step(out_of_work_stop, evidence, False, labels[evidence]))
    return tuple(steps)


def study_data_from_definition(tree: dict) -> dict:
    """The parts of a Study a run stored as its definition (compile_tables.definition),
    as keyword arguments of Study: criteria, steps, codelists, score."""
    from pipeline.study import nodes as N

    classes = {cls.__name__.lower(): cls for cls in (
        N.Registered, N.Alive, N.Age, N.Sex, N.Records, N.Latest, N.Value, N.All, N.Any, N.Not,
    )}  # fmt: skip

    def node(kind: str, fields: dict):
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
        if isinstance(values.get("unless"), dict):
            values["unless"] = N.Unless(**{
                k: tuple(v) if isinstance(v, list) else v for k, v in values["unless"].items()
            })  # fmt: skip
        return classes[kind](**values)

    return {
        "criteria": tuple(
            N.Criterion(c["name"], c["label"], node(c["kind"], c["definition"]))
            for c in tree["criteria"]
        ),
        "steps": tuple(
            N.Step(s["stop"], s["criterion"], s["exclude"], s["label"])
            for s in tree["steps"]
            if s["criterion"] is not None
        ),
        "score": tuple(tree.get("score", {}).items()),
        "out_of_work_evidence": tree.get("out_of_work_evidence"),
    }
