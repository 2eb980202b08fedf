"""How services refuse: one base for every refusal, one permission error type, and `require`.

Each app defines its rules once, as named pure predicates over an access object (who the viewer is to this
community and object, e.g. `activities.calendar.rules.may_schedule(access)`). Views, templates and tasks ask
the predicate; services enforce the same predicate with `require(...)`, which raises `NotPermitted`. Nothing
else decides who may do what.

A refusal carries its message for the person who tried and, where it is about one thing they typed, the form
field: `ValidationError({"end_time": "…"})`. A form takes it whole with `form.add_error(None, error)`, which
puts each message next to its field, so no view reads a message's words to place it.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """A service said no, and nothing was changed: bad input (each app's own subclass) or a rule that does not
    hold (`NotPermitted`). Views catch this one type."""


class NotPermitted(Refused):
    """The one permission error: a rule does not allow the actor to do this (the page asked the same rule first
    and answered 403, so people meet it only when something changed in between)."""


def require(allowed: bool, refusal: str | Callable[[], str]) -> None:
    """Raise `NotPermitted` with `refusal` (a message, or a function making it) unless `allowed`."""
    if not allowed:
        raise NotPermitted(refusal() if callable(refusal) else refusal)
