"""onrecord's measurement scripts (dev-time, not shipped): see bench/README.md.

Run them from the repository root as modules, e.g. ``python -m bench.speed.pipeline``.
"""
