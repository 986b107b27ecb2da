"""Benchmarks: rerunnable measurements whose figures go into the README."""
