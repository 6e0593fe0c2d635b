"""The last answer of a pure function over plain data, given again while its argument is the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from generator.incremental.fingerprint import digest

Argument = TypeVar("Argument")
Answer = TypeVar("Answer")


class LastAnswer:
    """Remembers one function's last answer with a digest of its argument (the dev server keeps one between builds).

    The argument must be plain data whose ``repr`` shows all of it (tuples, strings,
    numbers, named tuples of them): equal arguments, equal digests. An answer is shared
    by the builds that get it, so it must be immutable or left unchanged by its users.
    """

    def __init__(self) -> None:
        self._key = ""
        self._answer: Any = None

    def of(self, function: Callable[[Argument], Answer]) -> Callable[[Argument], Answer]:
        """``function``, answering from memory when called with what its last answer was made from."""
        def remembered(argument: Argument) -> Answer:
            key = digest(function.__module__, function.__qualname__, repr(argument))
            if key != self._key:
                self._answer = function(argument)
                self._key = key  # only once the answer is made: a function that raised leaves no key
            return self._answer

        return remembered
