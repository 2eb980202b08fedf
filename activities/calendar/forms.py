"""Forms for activities: scheduling, editing a series, moving or cancelling a date, RSVPs, attendance, notes.

Times are typed in the organizer's time zone (a select that defaults to the organizer's profile zone); the
forms hand the services naive local datetimes plus that zone, as `activity_schedule` and `occurrence_move` want.
"""

import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from activities.calendar.models import Activity, Occurrence, Rsvp
from activities.calendar.recurrence import MAX_OCCURRENCES
from communities.forms import check_addresses, split_addresses
from communities.models import Community
from core.viewer_zone import viewer_zone_name
from members.forms import time_zone_choices
from members.models import User

ENDS_AFTER, ENDS_ON = "count", "until"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class HostsField(forms.CharField):
    """Hosts typed as email addresses, comma-separated, cleaned to active members of the community."""

    def __init__(self, *, community: Community, **kwargs):
        self.community = community
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("label", "Hosts")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "people-suggestions", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value) -> list[User]:
        addresses = split_addresses(super().clean(value) or "")
        check_addresses(addresses, limit=10)
        members = {
            m.user.email.lower(): m.user
            for m in self.community.memberships.active()
            .filter(user__is_active=True, user__email__in=addresses)
            .select_related("user")
        }
        strangers = [address for address in addresses if address not in members]
        if strangers:
            raise ValidationError(
                f"Hosts must be members of {self.community.name}; these are not: {', '.join(strangers)}"
            )
        return [members[address] for address in addresses]


PAST_CONFIRMED = "past_confirmed"


class ConfirmsPastDate:
    """For forms whose date the service refuses when it is in the past, unless confirmed: the checkbox
    "This date is in the past: record it anyway" (a field of every such form, last, so the service's refusal
    `{"past_confirmed": …}` lands next to it) is shown only once it is needed: after that refusal, or when the
    person ticked it (it stays while the form comes back)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[PAST_CONFIRMED] = forms.BooleanField(
            label="This date is in the past: record it anyway",
            required=False,
            help_text="For an activity that already took place.",
        )

    @property
    def asks_past_confirmation(self) -> bool:
        """Whether the page shows the checkbox: the date was refused as past, or the person ticked it."""
        return self.is_bound and (
            PAST_CONFIRMED in self.errors or self.add_prefix(PAST_CONFIRMED) in self.data
        )

    def past_is_confirmed(self) -> bool:
        return bool(self.cleaned_data.get(PAST_CONFIRMED))


def _check_times(form: forms.Form) -> None:
    start, end = form.cleaned_data.get("start_time"), form.cleaned_data.get("end_time")
    if start is not None and end is not None and end <= start:
        form.add_error("end_time", "The end must be after the start.")


class ScheduleForm(ConfirmsPastDate, forms.Form):
    """Schedule an activity: what, when (in the organizer's zone), where, who hosts, and whether it repeats."""

    title = forms.CharField(max_length=150, help_text="e.g. “Monthly incident review”.")
    kind = forms.ChoiceField(choices=Activity.Kind.choices, initial=Activity.Kind.MEETING)
    description = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The agenda, what to prepare. Markdown works: **bold**, lists, links.",
    )
    date = forms.DateField(widget=DateInput(), help_text="The first date, if it repeats.")
    start_time = forms.TimeField(label="Starts at", widget=TimeInput())
    end_time = forms.TimeField(label="Ends at", widget=TimeInput())
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="The times above are in this zone; everyone sees them in their own.",
    )
    place = forms.CharField(
        required=False, max_length=200, help_text="A room or an address, if it meets in person."
    )
    online_link = forms.URLField(
        label="Online link", required=False, max_length=200, help_text="The video call, if it meets online."
    )
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Leave empty for no limit. When full, people join a waitlist.",
    )
    repeat = forms.ChoiceField(
        label="How often",
        choices=Activity.Repeat.choices,
        initial=Activity.Repeat.NONE,
        widget=forms.RadioSelect,
    )
    ends = forms.ChoiceField(
        label="The series ends",
        required=False,
        choices=[(ENDS_AFTER, "After a number of dates"), (ENDS_ON, "On a date")],
        initial=ENDS_AFTER,
        widget=forms.RadioSelect,
    )
    repeat_count = forms.IntegerField(
        label="Number of dates",
        required=False,
        min_value=1,
        max_value=MAX_OCCURRENCES,
        help_text=f"At most {MAX_OCCURRENCES}.",
    )
    repeat_until = forms.DateField(
        label="Last date",
        required=False,
        widget=DateInput(),
        help_text="At most two years after the first date.",
    )

    def __init__(self, *args, community: Community, organizer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["time_zone"].initial = viewer_zone_name(organizer)
        self.fields["hosts"] = HostsField(
            community=community,
            help_text="Email addresses of members of the community, comma-separated. Leave empty to host it yourself.",
        )
        self.order_fields(
            [
                "title",
                "kind",
                "description",
                "date",
                "start_time",
                "end_time",
                "time_zone",
                "repeat",
                "ends",
                "repeat_count",
                "repeat_until",
                "place",
                "online_link",
                "hosts",
                "capacity",
            ]
        )

    def clean(self) -> dict:
        data = super().clean()
        _check_times(self)
        if data.get("repeat") and data["repeat"] != Activity.Repeat.NONE:
            ends = data.get("ends") or (ENDS_ON if data.get("repeat_until") else ENDS_AFTER)
            data["ends"] = ends
            if ends == ENDS_AFTER and data.get("repeat_count") is None and "repeat_count" not in self.errors:
                self.add_error(
                    "repeat_count", "Say when the series ends: how many dates, or choose “On a date”."
                )
            if ends == ENDS_ON and data.get("repeat_until") is None and "repeat_until" not in self.errors:
                self.add_error(
                    "repeat_until",
                    "Say when the series ends: its last date, or choose “After a number of dates”.",
                )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        repeats = data["repeat"] != Activity.Repeat.NONE
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "start_local": datetime.combine(data["date"], data["start_time"]),
            "end_local": datetime.combine(data["date"], data["end_time"]),
            "time_zone": data["time_zone"],
            "place": data["place"],
            "online_link": data["online_link"],
            "capacity": data["capacity"],
            "hosts": data["hosts"] or None,
            "repeat": data["repeat"],
            "repeat_count": data["repeat_count"] if repeats and data["ends"] == ENDS_AFTER else None,
            "repeat_until": data["repeat_until"] if repeats and data["ends"] == ENDS_ON else None,
            "past_confirmed": self.past_is_confirmed(),
        }


class EditForm(forms.Form):
    """What a series is (every date of it): title, kind, description, place, link, capacity, hosts."""

    title = forms.CharField(max_length=150)
    kind = forms.ChoiceField(choices=Activity.Kind.choices)
    description = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The agenda, what to prepare. Markdown works: **bold**, lists, links.",
    )
    place = forms.CharField(required=False, max_length=200)
    online_link = forms.URLField(label="Online link", required=False, max_length=200)
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Leave empty for no limit. It cannot be lower than the number of people already going.",
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": activity.title,
                "kind": activity.kind,
                "description": activity.description,
                "place": activity.place,
                "online_link": activity.online_link,
                "capacity": activity.capacity,
                "hosts": ", ".join(host.email for host in activity.hosts.all()),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["hosts"] = HostsField(
            community=activity.community,
            help_text="Email addresses of members of the community, comma-separated. Empty: nobody in particular.",
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "place": data["place"],
            "online_link": data["online_link"],
            "capacity": data["capacity"],
            "hosts": data["hosts"],
        }


THIS_ONLY, THIS_AND_FOLLOWING = "this", "following"


class MoveForm(ConfirmsPastDate, forms.Form):
    """A new date and time for one date (in the organizer's zone); for a series, optionally this and following."""

    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(label="Starts at", widget=TimeInput())
    end_time = forms.TimeField(label="Ends at", widget=TimeInput())
    scope = forms.ChoiceField(
        label="Which dates",
        choices=[
            (THIS_ONLY, "Only this date"),
            (THIS_AND_FOLLOWING, "This date and the following ones (same weekday and time from now on)"),
        ],
        initial=THIS_ONLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        zone = zoneinfo.ZoneInfo(occurrence.activity.time_zone)
        start, end = occurrence.start.astimezone(zone), occurrence.end.astimezone(zone)
        kwargs.setdefault(
            "initial", {"date": start.date(), "start_time": start.time(), "end_time": end.time()}
        )
        super().__init__(*args, **kwargs)
        self.fields[
            "date"
        ].help_text = f"Times are in {occurrence.activity.time_zone}, the organizer's time zone."
        if not occurrence.activity.is_recurring:
            del self.fields["scope"]

    def clean(self) -> dict:
        data = super().clean()
        _check_times(self)
        return data

    @property
    def following(self) -> bool:
        return self.cleaned_data.get("scope") == THIS_AND_FOLLOWING

    def local_times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return datetime.combine(data["date"], data["start_time"]), datetime.combine(
            data["date"], data["end_time"]
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="People who planned to come see it, and those going or maybe going get it by email.",
        error_messages={"required": "Say why it is cancelled: people who planned to come will see it."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why it is cancelled: people who planned to come will see it.")
        return reason


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=Rsvp.Answer.choices, error_messages={"required": "Answer going, maybe or not going."}
    )


class AttendanceForm(forms.Form):
    """A checkbox per member of the community, prefilled from who said they were going."""

    attended = forms.TypedMultipleChoiceField(
        label="Who came",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Prefilled with those who said they were going. Untick who did not come; tick who came anyway.",
    )

    def __init__(self, *args, members: list[tuple[int, str]], checked: set[int], **kwargs):
        kwargs.setdefault("initial", {"attended": sorted(checked)})
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = members

    def attended_ids(self) -> set[int]:
        return set(self.cleaned_data["attended"])


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was discussed, decisions, links to slides. Markdown works.",
    )
