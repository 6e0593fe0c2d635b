"""Incremental rebuilds: what a build keeps from the last one, and how it decides what to redo.

The stages (``read`` → ``validate`` → ``plan`` → ``render`` → ``write``) do not know about
this package; it wraps them.
"""
