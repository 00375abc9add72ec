"""Maintenance tools: the CI gate's floors, the README's screenshot."""
