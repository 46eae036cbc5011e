"""Synthetic GP practice extracts for tests, demos and benchmarks (`cohort synth`)."""

from pipeline.synth.build import DEFAULT_EXTRACT_DATE, SynthOptions, SynthResult, generate

__all__ = ["DEFAULT_EXTRACT_DATE", "SynthOptions", "SynthResult", "generate"]
