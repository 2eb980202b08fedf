"""Forms of the insights pages: recording a value story (realized or reframing) on a community.

The form shapes what was typed and refuses what is plainly wrong (an empty title, a date in the future) next to
the field; `insights.services.value_story_record` judges the rest and stores the story.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from insights.models import ValueStory
from insights.services import FUTURE_DATE

EMPTY_TITLE = "Give the story a title: what changed, in a few words?"
EMPTY_STORY = "Tell the story: what happened, for whom, and what changed."
EMPTY_DATE = "Say when it happened (a day is enough, even if approximate)."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ValueStoryForm(forms.Form):
    """A realized-value or reframing story: what happened, when, and how we know."""

    cycle = forms.ChoiceField(
        label="Kind of value",
        choices=ValueStory.Cycle.choices,
        initial=ValueStory.Cycle.REALIZED,
        widget=forms.RadioSelect,
        help_text="Realized: a result the organization sees (time saved, fewer incidents, a customer won). "
        "Reframing: the community or its sponsors changed what they aim for or how they measure success.",
    )
    title = forms.CharField(
        label="Title",
        max_length=ValueStory._meta.get_field("title").max_length,
        error_messages={"required": EMPTY_TITLE},
        help_text="E.g. “Night pages halved after the on-call runbook”.",
    )
    story = forms.CharField(
        label="Story",
        max_length=5000,
        error_messages={"required": EMPTY_STORY},
        help_text="What happened, for whom, and what changed; name the activity, discussion or resource it "
        "came from if you can.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        help_text="How we know: a figure, a document, a link, someone who can confirm it. Optional, but it "
        "makes the story count with sponsors.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    happened_on = forms.DateField(
        label="When it happened",
        error_messages={"required": EMPTY_DATE},
        help_text="The day the result was seen or the goal reframed; not in the future.",
        widget=DateInput(),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["happened_on"].widget.attrs["max"] = today.isoformat()

    def clean_happened_on(self) -> date:
        happened_on = self.cleaned_data["happened_on"]
        if happened_on > self.today:
            raise ValidationError(FUTURE_DATE)
        return happened_on
