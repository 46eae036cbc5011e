"""The study engine: who is invited, by which rule, with what evidence.

Three layers (docs/design/contracts.md): ``model`` loads a study file into frozen
objects, ``compile`` turns them into SQL from sql/study/ plus bound parameters,
``execute`` runs that SQL over the run database. ``impact`` compares two
codelist versions on an extract.
"""
