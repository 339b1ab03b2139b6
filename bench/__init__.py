"""Benchmarks: each script prints its figures and the command that reproduces them."""
