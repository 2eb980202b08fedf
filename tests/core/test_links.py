"""core.links.link gives what reverse gives, for every URL our models link to, under any script prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.links import link

CASES = [
    ("communities:home", ("reliability-guild",)),
    ("activities:occurrence", ("reliability-guild", 42)),
    ("activities:discussion", ("data-circle", 7)),
    ("repertoire:resource", ("lean", 1234567)),
    ("repertoire:download", ("lean", 3, 9)),
    ("members:profile", (5,)),
    ("communities:email_invitation", ("AbC-12_xyz",)),
    ("home", ()),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_the_same_address_as_reverse(name, args):
    assert link(name, *args) == reverse(name, args=args)
    assert link(name, *args) == reverse(name, args=args)  # from the kept pattern


def test_values_change_and_the_script_prefix_counts():
    assert link("activities:occurrence", "a", 1) == "/c/a/activities/1/"
    assert link("activities:occurrence", "b-c", 22) == "/c/b-c/activities/22/"
    try:
        set_script_prefix("/copsite/")
        assert link("activities:occurrence", "a", 1) == "/copsite/c/a/activities/1/"
    finally:
        set_script_prefix("/")
    assert link("activities:occurrence", "a", 1) == "/c/a/activities/1/"


def test_an_unknown_name_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        link("no-such-page", 1)


def test_the_url_tag_is_the_same_as_djangos():
    from django.template import Context, Template

    page = Template(
        "{% url 'activities:occurrence' slug pk %}|{% url 'activities:occurrence' slug=slug pk=pk %}|"
        "{% url 'members:profile' '12' %}|{% url 'members:profile' 'x' as nothing %}[{{ nothing }}]|"
        "{% url 'activities:occurrence' slug pk as there %}{{ there }}"
    )
    assert page.render(Context({"slug": "a-b", "pk": 3})) == (
        "/c/a-b/activities/3/|/c/a-b/activities/3/|/members/12/|[]|/c/a-b/activities/3/"
    )
    with pytest.raises(NoReverseMatch):
        Template("{% url 'members:profile' 'x' %}").render(Context())
