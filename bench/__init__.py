"""Benchmarks: `bench/run_all.py` runs every `bench_*.py` here (see bench/common.py)."""
