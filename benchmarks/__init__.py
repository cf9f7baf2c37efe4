"""Benchmarks of the gradstep engine: run ``python -m benchmarks.engine`` from the repository root."""
