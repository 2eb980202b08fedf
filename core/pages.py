"""The two shapes most views that change something take, written once.

- `form_page`: a page with a form; a valid POST runs one service, says what happened and goes on; bad input or
  the service's refusal comes back next to what was typed, kept (status 400).
- `post_and_return`: a small form posted from another page (a button in a table row); the service runs, a flash
  message says what happened or why not, and the person is sent back where they came from.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.forms import add_refusal, first_error, refusal_text
from core.redirects import safe_next
from core.rules import Refused


def _say(outcome: str | Callable[[Any], str], result: Any) -> str:
    return outcome(result) if callable(outcome) else outcome


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    template: str,
    context: Mapping[str, Any],
    act: Callable[[dict], Any],
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
) -> HttpResponse:
    """Show `template` with `form` (and `context`); on a valid POST run `act(cleaned_data)`, flash `success` and
    redirect to `then` (each a value, or a function of what `act` returned)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = act(form.cleaned_data)
        except Refused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(request, _say(success, result))
            return redirect(_say(then, result))
    return render(request, template, {**context, "form": form}, status=400 if form.is_bound else 200)


def post_and_return(
    request: HttpRequest,
    form: Form,
    *,
    back: str,
    act: Callable[[dict], Any],
    success: str | Callable[[Any], str],
    invalid: str | Callable[[Form], str] | None = None,
) -> HttpResponse:
    """Run `act(cleaned_data)` for a valid form and flash `success`; flash `invalid` (default: the form's first
    error) or the refusal otherwise; either way go back to the posted `next` when it is safe, else `back`."""
    if not form.is_valid():
        messages.error(request, _say(invalid, form) if invalid else first_error(form))
    else:
        try:
            result = act(form.cleaned_data)
        except Refused as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, _say(success, result))
    return redirect(safe_next(request, back))
