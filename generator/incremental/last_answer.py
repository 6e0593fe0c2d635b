"""The last answers of pure functions, given again while what they were made from is equal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from generator.model import CaseStudy

Argument = TypeVar("Argument")
Answer = TypeVar("Answer")


class LastAnswer:
    """Remembers one function's last answer with its argument (kept between builds, in memory or in the cache).

    The argument must be plain data compared by value whose ``repr`` shows all of it
    (tuples, strings, numbers, named tuples of them): an equal argument gets the last
    answer. In memory the argument is kept and compared; pickled, only its digest is kept,
    and a loaded answer is given for an argument of the same digest. An answer is shared by
    the builds that get it, so it must be immutable or left unchanged by its users.
    """

    def __init__(self) -> None:
        self._name = ""  # the function that made the answer
        self._argument: Any = None  # what it was made from (in memory)
        self._key = ""  # the digest of that (once loaded from a pickle)
        self._answer: Any = None

    def __getstate__(self) -> dict[str, Any]:
        key = self._key or (self._name and _key(self._name, self._argument))
        return {"_name": self._name, "_argument": None, "_key": key, "_answer": self._answer}

    def _made_from(self, name: str, argument: Any) -> bool:
        if name != self._name:
            return False
        if self._argument is not None:
            return self._argument == argument
        return bool(self._key) and self._key == _key(name, argument)

    def of(self, function: Callable[[Argument], Answer]) -> Callable[[Argument], Answer]:
        """``function``, answering from memory when called with what its last answer was made from."""
        name = f"{function.__module__}.{function.__qualname__}"

        def remembered(argument: Argument) -> Answer:
            if not self._made_from(name, argument):
                self._name = ""
                self._answer = function(argument)
                # Only once the answer is made: a function that raised leaves none.
                self._name, self._argument, self._key = name, argument, ""
            return self._answer

        return remembered


def _key(name: str, argument: Any) -> str:
    from generator.incremental.fingerprint import digest

    return digest(name, repr(argument))


class StoryAnswers:
    """Remembers, per story, the answers of functions of one story alone (the dev server keeps them between builds).

    A story equal (by value) to the one an answer was made from gets that answer; a new or
    changed story is asked again. Pickled (``build``'s saved state) it is empty.
    """

    def __init__(self) -> None:
        self._answers: dict[str, dict[str, tuple[CaseStudy, Any]]] = {}

    def __reduce__(self):
        return (StoryAnswers, ())

    def of(self, function: Callable[[CaseStudy], Answer]) -> Callable[[CaseStudy], Answer]:
        """``function``, answering from memory for a story equal to the one its answer was made from."""
        answers = self._answers.setdefault(f"{function.__module__}.{function.__qualname__}", {})

        def remembered(study: CaseStudy) -> Answer:
            last = answers.get(study.slug)
            # ``is``: the same story object is equal to itself (a shortcut, not a rule).
            if last is not None and (last[0] is study or last[0] == study):
                return last[1]
            answer = function(study)
            answers[study.slug] = (study, answer)
            return answer

        return remembered
