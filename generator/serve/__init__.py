"""A generic live-reload development server, in the spirit of MkDocs' ``livereload``.

It serves one folder, watches some paths, calls ``rebuild(changed)`` after each burst of
changes and tells the open pages to reload (or to swap their stylesheets, or to show the
build error). It knows nothing about stories: ``generator.commands.serve`` wires it to the build.

Modules: ``server`` (start/stop, threads), ``handler`` (HTTP), ``paths`` (safe file lookup),
``pages`` (script injection, built-in pages), ``status`` (build status shared with browsers),
``watcher`` (watchfiles, coalescing), ``builder`` (runs rebuilds, prints one line each),
``livereload.js`` (the browser client).
"""

from generator.serve.builder import UNCHANGED, RebuildFn, Rebuilt, Unchanged
from generator.serve.server import LiveServer, is_loopback, is_wildcard

__all__ = ["UNCHANGED", "LiveServer", "RebuildFn", "Rebuilt", "Unchanged", "is_loopback", "is_wildcard"]
