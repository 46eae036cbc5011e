"""Cohort Finder: find and invite the right patients for a study from GP practice extracts."""

__version__ = "0.1.0"
