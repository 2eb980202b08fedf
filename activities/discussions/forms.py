"""Forms for discussions: start one, reply, edit a post, hide or report one with a reason, accept an answer.

The forms only shape what was typed; the services judge it (empty text, a locked discussion, a post of a
megabyte) and the views put their refusal next to the field it is about, keeping the text.
"""

from django import forms

from activities.discussions.services import MAX_TITLE
from core.numbers import LARGEST

BODY_HELP = (
    "Markdown: **bold**, _italic_, [a link](https://example.org), lists, `code`. Mention a colleague with "
    "@ and the part of their address before the @ (e.g. @grace.mensah): they get a mail."
)
EMPTY_TITLE = "Give the discussion a title: what is it about, in a few words?"
EMPTY_BODY = "Write something: the text cannot be empty."


def _body_field(label: str, rows: int = 8) -> forms.CharField:
    # No max_length here: the service refuses an over-long text with a message that says how long it was,
    # and a browser's maxlength would cut a pasted text silently.
    return forms.CharField(
        label=label,
        strip=False,
        help_text=BODY_HELP,
        error_messages={"required": EMPTY_BODY},
        widget=forms.Textarea(attrs={"rows": rows, "class": "post-body-input"}),
    )


class DiscussionForm(forms.Form):
    """Start a discussion: a title and the question or story."""

    title = forms.CharField(
        label="Title",
        max_length=MAX_TITLE,
        error_messages={"required": EMPTY_TITLE},
        help_text="The question or topic in a few words, e.g. “How do you run a blameless review?”",
    )
    body = _body_field("Your question or story", rows=10)


class ReplyForm(forms.Form):
    body = _body_field("Your reply", rows=6)


class PostEditForm(forms.Form):
    """Edit one's own post: a discussion has a title too (`with_title`), a reply only its text."""

    title = forms.CharField(label="Title", max_length=MAX_TITLE, error_messages={"required": EMPTY_TITLE})
    body = _body_field("Text", rows=10)

    def __init__(self, *args, with_title: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


def _reason_field(label: str, help_text: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        error_messages={"required": "Say why, in a sentence."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    """Why a coordinator hides a post (its author sees the reason)."""

    reason = _reason_field(
        "Why hide it?",
        "Its author and the coordinators see this reason; other members no longer see the post.",
        max_length=300,
    )


class ReportForm(forms.Form):
    """Why a member reports a post to the coordinators."""

    reason = _reason_field(
        "What is wrong with it?",
        "Only the coordinators see your report and its reason.",
        max_length=500,
    )


class AcceptForm(forms.Form):
    """Which reply is the accepted answer; empty clears the mark."""

    reply = forms.IntegerField(required=False, min_value=1, max_value=LARGEST)
    page = forms.IntegerField(required=False, min_value=1, max_value=LARGEST)


class ConfirmForm(forms.Form):
    """A button with nothing to type (delete, show again, resolve): the POST itself is the confirmation."""


class ToggleForm(forms.Form):
    """On or off (follow, pin, lock): `on=1` or `on=0`."""

    on = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda value: value == "1")
