"""Demo and benchmark data for activities: each demo community's calendar and discussions.

The small demo is made through the calendar and discussion services, back-dated with their `at`, as people
would have made it: a coordinator schedules the series its charter promises (on the weekday its meeting rhythm
names) some weeks before the first date; members answer before each date; the coordinator records who came and
writes notes; members ask about their community's domain, others answer, and the asker accepts an answer. The
benchmark set (`seed_demo --scale`) writes the same kinds of rows with bulk inserts, for speed.
"""

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.calendar import services as calendar_services
from activities.discussions import services as discussion_services
from activities.discussions.markup import render_post
from activities.models import Activity, Occurrence, Rsvp
from communities.models import Community, Level, Membership, Participation
from copsite.demo.communities import active_member_ids, ledger_row

ACTIVITIES_PER_SCALE = 50
Answer = Rsvp.Answer
KINDS = list(Activity.Kind.values)
MON, TUE, WED, THU = range(4)


@dataclass(frozen=True)
class Series:
    """A recurring activity. A monthly one keeps the `nth` weekday of the month (1 to 4), as its rhythm says."""

    title: str
    kind: str
    repeat: str
    weekday: int
    hour: int
    minutes: int
    place: str
    description: str
    nth: int = 0
    time_zone: str = "Europe/Berlin"
    capacity: int | None = None
    minute: int = 0


@dataclass(frozen=True)
class Event:
    """A one-off activity `days` from today (negative: it already happened)."""

    title: str
    kind: str
    days: int
    hour: int
    minutes: int
    place: str
    description: str
    time_zone: str = "Europe/Berlin"
    capacity: int | None = None


@dataclass(frozen=True)
class Thread:
    """A discussion started `days_ago`; replies by other members in order, then the asker's own follow-up, if
    any; `accepted` is the index of the reply the asker accepted (None: not solved)."""

    title: str
    body: str
    days_ago: int
    replies: tuple[str, ...] = ()
    accepted: int | None = None
    follow_up: str = ""


@dataclass(frozen=True)
class Programme:
    """What a demo community does: its series (matching its charter's meeting rhythm), one-off activities,
    notes written after past dates, and its own discussions."""

    series: tuple[Series, ...]
    events: tuple[Event, ...]
    notes: tuple[str, ...]
    threads: tuple[Thread, ...]


ONLINE = "Online"

PROGRAMMES: dict[str, Programme] = {
    # Rhythm: "Every other Tuesday, 45 minutes; incident reviews monthly".
    "Site Reliability Guild": Programme(
        series=(
            Series(
                "Guild sync",
                Activity.Kind.MEETING,
                Activity.Repeat.FORTNIGHTLY,
                TUE,
                10,
                45,
                ONLINE,
                "Every other Tuesday, 45 minutes.\n\n1. What broke, what changed (15 min)\n"
                "2. One practice in depth: alerting, runbooks, capacity, on-call\n3. What we try next",
            ),
            Series(
                "Incident review",
                Activity.Kind.MEETING,
                Activity.Repeat.MONTHLY,
                THU,
                14,
                60,
                ONLINE,
                "Our monthly blameless review of one incident: timeline first, contributing factors second, "
                "actions last. The team involved presents; someone from another team facilitates.",
                nth=3,
            ),
        ),
        events=(
            Event(
                "Game day: failing over the payments database",
                Activity.Kind.WORKSHOP,
                18,
                9,
                240,
                "Berlin HQ, room 4.02, and online",
                "We fail over the staging payments database on purpose and practise the runbook. Bring a laptop "
                "with VPN access; pairs of one experienced and one new on-call engineer.",
                capacity=10,
            ),
        ),
        notes=(
            "Reviewed the checkout latency incident. The alert fired 20 minutes after customers noticed: we "
            "move it from the error rate to the p99 latency. Runbook updated; action owners in the tracker.",
            "Kenji showed the new SLO dashboard. Agreed: every team names one SLO for its main journey before "
            "the next sync. Slides in the library.",
            "Walked through the certificate expiry near miss. Decision: certificates renew automatically, and "
            "expiry within 14 days pages the owning team.",
        ),
        threads=(
            Thread(
                "How do you keep incident reviews blameless?",
                "Our reviews keep sliding into who pushed what. What format keeps the focus on the system?",
                75,
                (
                    "Timeline first, contributing factors second, and nobody's name in the factors. The "
                    "facilitator is never from the team involved.",
                    'We ask "what made this the reasonable thing to do at the time?" for every decision in '
                    "the timeline. It changes the tone within ten minutes.",
                ),
                accepted=0,
                follow_up="Tried the outside facilitator last week: much calmer meeting. Thanks!",
            ),
            Thread(
                "Alert fatigue: how many pages a week is too many?",
                "Our on-call gets about 30 pages a week, most of them not actionable. Is there a number you aim "
                "for?",
                40,
                (
                    "Two per shift at most, and every page must need a human now. Everything else becomes a "
                    "ticket.",
                    "We review every page in the guild sync for a month: each one is kept, tuned or deleted.",
                ),
                accepted=1,
            ),
            Thread(
                "Error budgets for internal services?",
                "Does anyone set SLOs and error budgets for internal tools, where the users are colleagues?",
                12,
                (
                    "Yes, looser ones. The budget mostly decides when we stop feature work to fix reliability.",
                ),
            ),
            Thread(
                "Runbook template that people actually keep up to date",
                "Ours rot within months. What does your template look like, and who owns it?",
                3,
            ),
        ),
    ),
    # Rhythm: "Monthly clinic, first Thursday".
    "Accessibility Champions": Programme(
        series=(
            Series(
                "Accessibility clinic",
                Activity.Kind.CLINIC,
                Activity.Repeat.MONTHLY,
                THU,
                14,
                60,
                "Room 2.14, Berlin",
                "Our monthly clinic, on the first Thursday. Bring a screen, a component or a flow you are "
                "unsure about; we test it together with a keyboard and a screen reader.",
                nth=1,
                capacity=12,
            ),
        ),
        events=(
            Event(
                "Screen reader basics for designers",
                Activity.Kind.WORKSHOP,
                24,
                13,
                120,
                "Berlin HQ, design studio",
                "Two hours with NVDA and VoiceOver: how people actually navigate a page, and what that means "
                "for headings, landmarks and focus order. Headphones provided.",
                capacity=8,
            ),
        ),
        notes=(
            "Tested the new date picker: not reachable by keyboard in month view, and the selected date is "
            "not announced. Zainab opens the issue with the design-system team.",
            "Checked the login flow: the error message is read out only after a second focus. Fix: move focus "
            "to the error summary. Contrast of the placeholder text fails AA.",
            "Went through the accessibility checklist with two new champions. Next clinic: data tables.",
        ),
        threads=(
            Thread(
                "Checklist for a first accessibility audit?",
                "Our portal gets its first audit next quarter. Where would you start, with two people and "
                "four weeks?",
                70,
                (
                    "Keyboard first, then contrast, then a screen reader on the three main journeys. That "
                    "finds most of what an auditor will.",
                    "Run axe in CI before you start, so the audit time goes to what tools cannot find.",
                ),
                accepted=0,
                follow_up="Keyboard pass done: 14 findings already. We use the shared checklist now.",
            ),
            Thread(
                "Accessible names for icon-only buttons",
                "Our toolbar has icon buttons only. aria-label, visually hidden text, or title?",
                33,
                (
                    "Visually hidden text inside the button: it is translated with the page and works in "
                    "every screen reader we tested. Not title.",
                    "Also add a tooltip on focus as well as hover: sighted keyboard users need the name too.",
                ),
                accepted=0,
            ),
            Thread(
                "Do our charts need a data table alternative?",
                "The reporting team asks whether every chart needs a table next to it.",
                9,
                (
                    'A summary sentence for the main message, and the table behind a "Show data" button. '
                    "Colour alone must never carry the meaning.",
                ),
            ),
        ),
    ),
    # Rhythm: "Weekly stand-up on the shop floor; quarterly gemba walks".
    "Lean Practitioners": Programme(
        series=(
            Series(
                "Shop-floor stand-up",
                Activity.Kind.MEETING,
                Activity.Repeat.WEEKLY,
                MON,
                8,
                30,
                "Plant Aarhus, line 3 board",
                "Every Monday at the improvement board on line 3, standing, 30 minutes: last week's numbers, "
                "open countermeasures, one problem to pick up.",
                time_zone="Europe/Copenhagen",
            ),
        ),
        events=(
            Event(
                "Quarterly gemba walk: Aarhus assembly",
                Activity.Kind.SITE_VISIT,
                -38,
                9,
                180,
                "Plant Aarhus, main entrance",
                "We walk the assembly hall from goods receipt to dispatch and note every wait and every "
                "search. Safety shoes and vests at the gate.",
                time_zone="Europe/Copenhagen",
                capacity=12,
            ),
            Event(
                "Quarterly gemba walk: Porto packaging",
                Activity.Kind.SITE_VISIT,
                45,
                9,
                180,
                "Plant Porto, visitor centre",
                "The next walk, at the packaging site. Bring last quarter's A3s to compare.",
                time_zone="Europe/Lisbon",
                capacity=12,
            ),
        ),
        notes=(
            "Changeover on line 3 down to 22 minutes (from 31). The quick-release clamps work; Thabo rolls them "
            "out to line 4.",
            "Gemba walk findings: operators walk 1.2 km a shift to fetch labels. Countermeasure: label printer "
            "at the station, trial for two weeks.",
            "Scrap on the filling line back to normal after the nozzle fix. Next problem: waiting for "
            "forklifts at dispatch.",
        ),
        threads=(
            Thread(
                "Sharing our A3 template",
                "Here is the A3 template we use in Aarhus, with one worked example. How do you adapt it?",
                80,
                (
                    'We added a box for "what we expected" next to the results: it makes the check step '
                    "honest.",
                    "Ours is the same, but the background section is limited to three lines. Anything longer "
                    "goes to an attachment.",
                ),
            ),
            Thread(
                "SMED on a packaging line: where to start?",
                "Our changeovers on the packaging line take 50 minutes. Has anyone done SMED there?",
                52,
                (
                    "Film the changeover once, then sort every step into internal and external. Half of ours "
                    "moved outside the stop without spending anything.",
                    "Pre-set the format parts on a trolley during the run. That alone saved us 15 minutes.",
                ),
                accepted=0,
                follow_up="Filmed it on Friday: 19 of 41 steps can be done while the line runs.",
            ),
            Thread(
                "Keeping kaizen boards alive after the workshop",
                "Every board looks great for a month, then nobody updates it. What keeps yours going?",
                18,
                (
                    "The team leader opens the stand-up at the board, every day, and the plant manager visits "
                    "it once a week. Without that rhythm it dies.",
                ),
                accepted=0,
            ),
            Thread(
                "Value stream map of order-to-delivery",
                "We are mapping order-to-delivery across sales and the plant. Who has done one across "
                "departments?",
                4,
            ),
        ),
    ),
    # Rhythm: "Fortnightly call".
    "Maintenance Reliability Network": Programme(
        series=(
            Series(
                "Root-cause round table",
                Activity.Kind.MEETING,
                Activity.Repeat.FORTNIGHTLY,
                WED,
                13,
                60,
                ONLINE,
                "Our fortnightly call: one plant presents a failure and its root-cause analysis; the others "
                "ask questions and compare with their own equipment.",
            ),
        ),
        events=(
            Event(
                "Vibration analysis hands-on",
                Activity.Kind.WORKSHOP,
                29,
                10,
                240,
                "Plant Gdańsk, maintenance workshop",
                "Half a day with the portable analysers on the test rig: bearing faults, misalignment and "
                "imbalance, and how they look in the spectrum.",
                time_zone="Europe/Warsaw",
                capacity=8,
            ),
        ),
        notes=(
            "Gdańsk presented the gearbox failure on press 2: lubrication interval too long for the new load. "
            "Interval halved; oil analysis added to the monthly route.",
            "Compared hydraulic pump failures across three plants: all had contaminated oil. Agreed a shared "
            "filter-change standard.",
            "Oliver showed the 5-why on the conveyor motor trips. Root cause: a cable tray touching the guard.",
        ),
        threads=(
            Thread(
                "Hydraulic pump failures after an oil change",
                "Two pumps failed within a month of an oil change. Anyone seen this?",
                66,
                (
                    "Check the new oil's cleanliness code. Drums straight from the supplier were worse than "
                    "our limit; we filter every drum now.",
                    "Also air in the suction line after the change: bleed the pump before you start it.",
                ),
                accepted=0,
                follow_up="The drum was ISO 21/19/16, our limit is 17/15/12. Filtering now.",
            ),
            Thread(
                "Vibration thresholds for small fans",
                "What alarm levels do you use for fans under 15 kW? ISO 10816 feels too loose.",
                37,
                ("We start from the standard and tighten to twice the baseline of each fan after a month.",),
                accepted=0,
            ),
            Thread(
                "Is it worth moving to condition-based maintenance for conveyors?",
                "Our conveyors are on fixed intervals. Did anyone move them to condition-based, and did it pay "
                "off?",
                11,
                (
                    "For the drives yes, for the belts no: belt wear is cheaper to inspect by eye on the "
                    "weekly round.",
                ),
            ),
        ),
    ),
    # Rhythm: "Weekly paper & model review, Wednesdays".
    "Data Science Circle": Programme(
        series=(
            Series(
                "Paper & model review",
                Activity.Kind.MEETING,
                Activity.Repeat.WEEKLY,
                WED,
                16,
                60,
                ONLINE,
                "Every Wednesday: one paper or one of our models in production, presented in 20 minutes, then "
                "questions. Sign up for a slot in the discussions.",
            ),
        ),
        events=(
            Event(
                "Forecasting hack afternoon",
                Activity.Kind.WORKSHOP,
                15,
                13,
                240,
                "Berlin HQ, auditorium",
                "Teams of three beat last year's demand forecast on a shared data set. Python or R, your "
                "choice; we compare the errors at the end.",
                capacity=15,
            ),
        ),
        notes=(
            "Reviewed the churn model: good AUC, but the top feature leaks the outcome (cancellation calls). "
            "Retrain without it; Ravi pairs with the team.",
            "Paper: conformal prediction for forecasting intervals. Marcus tries it on the demand forecast.",
            "Elena presented the pricing experiment: the A/B split was not random by region. Rerun planned.",
        ),
        threads=(
            Thread(
                "What to do when a model drifts in production?",
                "Our demand forecast degraded after the spring price change. How do you notice drift, and "
                "what do you do then?",
                60,
                (
                    "Monitor the input distributions, not only the accuracy: the inputs tell you weeks before "
                    "the labels arrive.",
                    "Retrain on a window shorter than the seasonality you care about, and keep the old model "
                    "as a shadow for a month.",
                ),
                accepted=0,
                follow_up="We added population stability checks on the inputs. Alert fired on the price feature.",
            ),
            Thread(
                "Explaining a model to a business audience",
                "Our sales director asks why the model scores a customer low. SHAP plots lose them. What works?",
                28,
                (
                    "Three plain sentences per customer: the two reasons that push the score most, and what "
                    "would change it.",
                    "Show a few real customers side by side rather than global feature importance.",
                ),
                accepted=0,
            ),
            Thread(
                "Sign-up: review slots for next month",
                "Reply with the Wednesday you want and the paper or model you will bring.",
                8,
                (
                    "I'll take the second Wednesday: our anomaly detection for the sensor data.",
                    "Fourth Wednesday for me: the paper on causal forests for uplift.",
                ),
            ),
        ),
    ),
    # Rhythm: "Monthly, closed session".
    "Safety Leaders": Programme(
        series=(
            Series(
                "Near-miss learning session",
                Activity.Kind.MEETING,
                Activity.Repeat.MONTHLY,
                TUE,
                9,
                90,
                "Online (closed)",
                "Our monthly closed session: each site brings one near miss. What is said here stays here "
                "unless the speaker agrees to share it.",
                nth=2,
            ),
        ),
        events=(
            Event(
                "Safety walk with the site managers: Aarhus",
                Activity.Kind.SITE_VISIT,
                21,
                8,
                150,
                "Plant Aarhus, main gate",
                "A walk with the site managers to practise safety conversations on the floor.",
                time_zone="Europe/Copenhagen",
                capacity=6,
            ),
        ),
        notes=(
            "Near miss at dispatch: a forklift reversed into a walkway. Sites compare their walkway marking; "
            "two will try physical barriers.",
            "Discussed reporting: near misses dropped at one site after a reprimand. Agreed to say publicly that "
            "reporting is never punished.",
        ),
        threads=(
            Thread(
                "Getting contractors to report near misses",
                "Our own people report; contractors almost never do. What worked for you?",
                58,
                (
                    "We made the report a two-minute QR form in their language, and the site lead thanks them "
                    "in the morning briefing.",
                    "Put it in the contract kick-off, with examples: they fear losing the contract otherwise.",
                ),
                accepted=0,
            ),
            Thread(
                "Risk assessment for temporary work at height",
                "Short jobs on ladders slip through our permit system. How do you handle them?",
                20,
                (
                    "Any work above two metres needs a permit, however short. We made the permit one page to "
                    "make that bearable.",
                ),
                accepted=0,
            ),
            Thread(
                "Safety moments that are not boring",
                "Ideas for the five-minute safety moment at the start of meetings, beyond slips and trips?",
                6,
            ),
        ),
    ),
    # Rhythm: "Every other Monday".
    "Customer Onboarding Practice": Programme(
        series=(
            Series(
                "Playbook swap",
                Activity.Kind.BROWN_BAG,
                Activity.Repeat.FORTNIGHTLY,
                MON,
                12,
                45,
                "Lisbon office, and online",
                "Every other Monday over lunch: one region walks through a piece of its onboarding playbook; "
                "the others steal what works.",
                time_zone="Europe/Lisbon",
            ),
        ),
        events=(
            Event(
                "Kick-off call role-play",
                Activity.Kind.WORKSHOP,
                26,
                14,
                120,
                "Lisbon office, room Tejo",
                "We practise the first call with a new customer in pairs, with a difficult customer played by "
                "a colleague.",
                time_zone="Europe/Lisbon",
                capacity=10,
            ),
        ),
        notes=(
            'Iberia showed their 30-day plan template. Everyone agreed to try the "first value in week one" '
            "milestone.",
            "Nordics: customers who skip the admin training open three times more tickets. Training becomes "
            "part of the kick-off.",
        ),
        threads=(
            Thread(
                "What goes into your kick-off call?",
                "We spend most of the kick-off on introductions and slides. What do you cover in the first "
                "hour?",
                55,
                (
                    "Their goal in their words, the date they want to see it, and who signs off. Slides only "
                    "if they ask.",
                    "We end with one task they do themselves before the next call. It tells you who is engaged.",
                ),
                accepted=0,
            ),
            Thread(
                "Measuring time to first value",
                'How do you define "first value" so that regions can compare?',
                24,
                (
                    "Per product: the first report sent to a real customer of theirs. It is objective and "
                    "the customer cares about it.",
                ),
                accepted=0,
            ),
            Thread(
                "Onboarding customers who bought through a partner",
                "The partner sold it, we onboard. How do you split the work without confusing the customer?",
                7,
            ),
        ),
    ),
    # Rhythm: "To be decided together": no series yet.
    "Knowledge Management Forum": Programme(
        series=(),
        events=(
            Event(
                "First get-together: what should this forum be?",
                Activity.Kind.MEETING,
                12,
                15,
                60,
                ONLINE,
                "We decide together how often we meet and what we work on first. Bring one example of "
                "knowledge that got lost in your team.",
            ),
        ),
        notes=(),
        threads=(
            Thread(
                "How often should we meet?",
                "Our charter says we decide the rhythm together. Monthly? Every other week? Online or in person?",
                10,
                (
                    "Monthly and online, so people from every site can join. In person once a year.",
                    "Monthly works for me, ideally not on Mondays.",
                ),
            ),
            Thread(
                "Where does your team keep its lessons learned?",
                "We have project retrospectives in three different tools. Where do yours end up, and does "
                "anyone find them again?",
                25,
                (
                    "In the project folder, where nobody looks. The ones people reuse are the ones someone "
                    "retells at a meeting.",
                ),
            ),
        ),
    ),
    # Rhythm: "Monthly".
    "Agile Coaches Collective": Programme(
        series=(
            Series(
                "Coaching dojo",
                Activity.Kind.WORKSHOP,
                Activity.Repeat.MONTHLY,
                THU,
                15,
                90,
                ONLINE,
                "Monthly: one coach brings a real coaching situation; two others coach it live, the rest "
                "observe and give feedback.",
                nth=3,
            ),
        ),
        events=(
            Event(
                "Handover session with the delivery excellence office",
                Activity.Kind.MEETING,
                33,
                10,
                120,
                "Berlin HQ, room 1.08",
                "We walk the new office through our practices and decide together what it takes over and "
                "what this collective keeps.",
            ),
        ),
        notes=(
            "Dojo: a team lead who answers every question for the team. Practised asking instead of telling; "
            "the observers counted the questions.",
            "Listed our practices for the handover: retrospective library, team health check, coaching "
            "circles. The office takes the first two.",
        ),
        threads=(
            Thread(
                "Retrospective formats for remote teams",
                "My teams are tired of start/stop/continue on a whiteboard tool. What do yours enjoy?",
                62,
                (
                    "Sailboat works well remotely: wind, anchors, rocks, island. Timebox each area.",
                    "Start with a one-word check-in and rotate the facilitator: the format matters less than "
                    "who runs it.",
                ),
                accepted=1,
            ),
            Thread(
                "What should the delivery excellence office take over?",
                "Before the handover, let's agree what we recommend they keep, and what stays with us.",
                15,
                (
                    "The retrospective library and the team health check: both need an owner. Coaching "
                    "circles only work as a community.",
                ),
            ),
        ),
    ),
    # Rhythm: "Fortnightly".
    "Security Champions": Programme(
        series=(
            Series(
                "Threat-modelling session",
                Activity.Kind.WORKSHOP,
                Activity.Repeat.FORTNIGHTLY,
                THU,
                11,
                60,
                ONLINE,
                "Every other Thursday: one team brings a design; we draw the data flows and walk through "
                "STRIDE together.",
            ),
        ),
        events=(
            Event(
                "Capture the flag afternoon",
                Activity.Kind.WORKSHOP,
                20,
                13,
                240,
                "Berlin HQ, auditorium",
                "Teams attack a deliberately vulnerable shop. No experience needed: each team has a champion.",
                capacity=20,
            ),
        ),
        notes=(
            "Modelled the file upload service: content-type checks are client-side only. Action: validate on "
            "the server and scan uploads.",
            "Reviewed the single sign-on change: the redirect parameter was not checked. Fixed before release.",
        ),
        threads=(
            Thread(
                "Threat modelling in a two-week sprint",
                "Our team says there is no time for threat modelling. How do you fit it in?",
                50,
                (
                    "Thirty minutes at refinement for any story that touches data or auth: four STRIDE "
                    "questions, not a whole model.",
                    "We keep one living diagram per service and only update the part the story changes.",
                ),
                accepted=0,
            ),
            Thread(
                "Dependency scanning: who triages the alerts?",
                "We get dozens of dependency alerts a week. Who in your team looks at them?",
                22,
                (
                    "The champion triages weekly, the team fixes. Only reachable vulnerabilities become "
                    "tickets.",
                ),
                accepted=0,
            ),
            Thread(
                "Secrets in old repositories",
                "We found API keys in the history of an archived repository. Rotate, rewrite history, or both?",
                5,
                ("Rotate first, today. Rewriting history is optional: the key is already out.",),
            ),
        ),
    ),
    # Rhythm: "Monthly writing workshop".
    "Storytelling & Content": Programme(
        series=(
            Series(
                "Writing workshop",
                Activity.Kind.WORKSHOP,
                Activity.Repeat.MONTHLY,
                TUE,
                15,
                90,
                "Paris office, salle Seine",
                "Our monthly writing workshop: bring a draft (a case study, a release note, a blog post); we "
                "critique two in depth.",
                nth=1,
                time_zone="Europe/Paris",
                capacity=12,
            ),
        ),
        events=(
            Event(
                "Customer interview practice",
                Activity.Kind.WORKSHOP,
                17,
                10,
                150,
                ONLINE,
                "How to interview a customer for a case study: open questions, silence, and getting a quote "
                "they will approve.",
            ),
        ),
        notes=(
            "Critiqued the logistics case study: the customer's problem only appears on page two. New opening "
            "with the customer's own words.",
            "Release notes: we agreed to lead with what the reader can now do, not with what we built.",
        ),
        threads=(
            Thread(
                "Getting customers to approve a quote",
                "Legal on the customer side rewrites every quote into nothing. Any tips?",
                45,
                (
                    "Send the quote in context, with the paragraph around it, and offer two versions to choose "
                    "from.",
                    'Ask in the interview: "Can I quote you on that?" The approval goes faster when they said '
                    "yes once already.",
                ),
                accepted=0,
            ),
            Thread(
                "Case study structure that people read to the end",
                "Our case studies have a high bounce rate. What structure works for you?",
                14,
                (
                    "Result in the title, the customer's problem in their words, then what changed. The "
                    "product comes last.",
                ),
                accepted=0,
            ),
        ),
    ),
    # Rhythm: "To be decided": no series yet.
    "Supply Chain Forecasting": Programme(
        series=(),
        events=(
            Event(
                "Kick-off: planners meet data scientists",
                Activity.Kind.MEETING,
                19,
                14,
                90,
                "Hamburg office, and online",
                "Planners show how they use the forecast today; data scientists show what they could give. "
                "We agree on a first pilot and how often to meet.",
            ),
        ),
        notes=(),
        threads=(
            Thread(
                "Forecasting for slow-moving spare parts",
                "Most of our spare parts sell a few times a year. Which methods work for intermittent demand?",
                30,
                (
                    "Croston or its SBA variant for the forecast, and set the stock from a service level "
                    "rather than from the forecast itself.",
                ),
            ),
            Thread(
                "Which forecast error measure should planners see?",
                "MAPE explodes on low volumes. What do you show planners?",
                9,
                ("Weighted MAPE by volume, and the bias separately: planners act on bias.",),
            ),
        ),
    ),
}


def _active_members(community: Community) -> list[Membership]:
    """Who may take part, in the order they joined (coordinators, who founded it, first)."""
    return list(
        community.memberships.filter(status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("joined_at", "pk")
    )


def _joined_before(members: list[Membership], moment: datetime) -> list[Membership]:
    return [m for m in members if m.joined_at and m.joined_at < moment]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _series_dates(series: Series, today: date) -> tuple[date, int]:
    """The first date of a series and how many it has: about half of them past, half ahead."""
    if series.repeat == Activity.Repeat.MONTHLY:
        months = today.year * 12 + today.month - 1 - 4
        return _nth_weekday(months // 12, months % 12 + 1, series.weekday, series.nth), 7
    back = today - timedelta(weeks=5 if series.repeat == Activity.Repeat.WEEKLY else 10)
    return back + timedelta(days=(series.weekday - back.weekday()) % 7), 10


def _holiday(day: date) -> bool:
    """Between Christmas and New Year most people are off."""
    return (day.month, day.day) >= (12, 24) or (day.month, day.day) == (1, 1)


def _working_day(day: date) -> date:
    """The day, or a week later while it falls in the holidays (events do not all pile up on the first day
    after them), or the Monday after a weekend."""
    while _holiday(day) or day.weekday() >= calendar.SATURDAY:
        day += timedelta(weeks=1) if _holiday(day) else timedelta(days=1)
    return day


def _answer_for(
    occurrence: Occurrence, members: list[Membership], rng: random.Random, now: datetime, scheduled: datetime
) -> None:
    """Members answer in the week before the date (or in the last hours, for a date still weeks ahead)."""
    opens = max(occurrence.start - timedelta(days=7), scheduled + timedelta(hours=1))
    pool = _joined_before(members, min(opens, now - timedelta(days=1)))
    people = rng.sample(pool, k=min(len(pool), rng.randint(2, 7)))
    for n, membership in enumerate(people):
        answer = rng.choices([Answer.GOING, Answer.MAYBE, Answer.NOT_GOING], weights=[6, 2, 1])[0]
        at = min(opens + timedelta(hours=5 * n + rng.randint(0, 4)), now - timedelta(hours=len(people) - n))
        calendar_services.rsvp_set(user=membership.user, occurrence=occurrence, answer=answer, at=at)


def _record_past(
    occurrence: Occurrence, recorder: Membership, rng: random.Random, now: datetime, notes: str
) -> None:
    """A coordinator or host records who came (most of those going, seated) and, for some dates, the notes."""
    seated = occurrence.rsvps.filter(answer=Answer.GOING, waitlisted=False).order_by("pk")
    came = {user_id for user_id in seated.values_list("user_id", flat=True) if rng.random() < 0.85}
    calendar_services.attendance_record(
        actor=recorder.user,
        occurrence=occurrence,
        attended_user_ids=came,
        at=min(occurrence.end + timedelta(hours=1), now),
    )
    if notes:
        calendar_services.occurrence_notes_save(actor=recorder.user, occurrence=occurrence, notes=notes)


def _schedule(
    *,
    community: Community,
    actor: Membership,
    hosts: list[Membership],
    title: str,
    kind: str,
    place: str,
    description: str,
    time_zone: str,
    capacity: int | None,
    first_day: date,
    hour: int,
    minute: int,
    minutes: int,
    at: datetime,
    repeat: str = Activity.Repeat.NONE,
    count: int | None = None,
) -> Activity:
    start = datetime.combine(first_day, time(hour, minute))
    return calendar_services.activity_schedule(
        actor=actor.user,
        community=community,
        title=title,
        kind=kind,
        description=description,
        place=place,
        online_link=f"https://meet.example.org/{community.slug}" if "online" in place.lower() else "",
        time_zone=time_zone,
        capacity=capacity,
        hosts=[m.user for m in hosts],
        start_local=start,
        end_local=start + timedelta(minutes=minutes),
        repeat=repeat,
        repeat_count=count,
        at=max(at, actor.joined_at + timedelta(hours=1)),
    )


def _seed_calendar(community: Community, programme: Programme, now: datetime) -> None:
    rng = random.Random(community.name)
    members = _active_members(community)
    coordinators = [m for m in members if m.role == Membership.Role.COORDINATOR]
    if not coordinators:
        return
    coordinator = coordinators[0]
    core = [m for m in members if m.level == Level.CORE and m.role != Membership.Role.COORDINATOR]
    today = timezone.localdate()
    past: list[tuple[Occurrence, Membership]] = []
    for n, series in enumerate(programme.series):
        first_day, count = _series_dates(series, today)
        activity = _schedule(
            community=community,
            actor=coordinator,
            hosts=[coordinator, *core[n : n + 1]],
            title=series.title,
            kind=series.kind,
            place=series.place,
            description=series.description,
            time_zone=series.time_zone,
            capacity=series.capacity,
            first_day=first_day,
            hour=series.hour,
            minute=series.minute,
            minutes=series.minutes,
            # Planned three weeks before its first date, as the charter promised.
            at=datetime.combine(first_day, time(9)).replace(tzinfo=timezone.get_current_timezone())
            - timedelta(days=21),
            repeat=series.repeat,
            count=count,
        )
        scheduled = activity.created_at
        occurrences = list(activity.occurrences.order_by("sequence"))
        upcoming = [o for o in occurrences if o.start > now]
        skipped = [
            (o, "Christmas break: we meet again in the new year.")
            for o in upcoming
            if _holiday(o.start.date())
        ]
        if n == 0 and len(upcoming) > 2 and upcoming[1] not in dict(skipped):
            skipped.append((upcoming[1], "Both hosts are away that week: we skip this one."))
        for occurrence, reason in skipped:
            calendar_services.occurrence_cancel(actor=coordinator.user, occurrence=occurrence, reason=reason)
            occurrence.cancelled = True
        # Answers for the dates past and the next two to come; later dates are too far ahead to answer.
        for occurrence in [o for o in occurrences if o.start <= now] + upcoming[:2]:
            if not occurrence.cancelled:
                _answer_for(occurrence, members, rng, now, scheduled)
        past += [(o, coordinator) for o in occurrences if o.end < now]
    for n, event in enumerate(programme.events):
        day = _working_day(today + timedelta(days=event.days))
        host = core[n % len(core)] if core else coordinator
        start = datetime.combine(day, time(event.hour)).replace(tzinfo=timezone.get_current_timezone())
        activity = _schedule(
            community=community,
            actor=host,
            hosts=[host],
            title=event.title,
            kind=event.kind,
            place=event.place,
            description=event.description,
            time_zone=event.time_zone,
            capacity=event.capacity,
            first_day=day,
            hour=event.hour,
            minute=0,
            minutes=event.minutes,
            # Announced four weeks ahead, or in the last days for one coming up soon.
            at=min(start - timedelta(days=28), now - timedelta(days=rng.randint(2, 6))),
        )
        occurrence = activity.occurrences.get()
        _answer_for(occurrence, members, rng, now, activity.created_at)
        if occurrence.end < now:
            past.append((occurrence, host))
    # Notes for every other date, the latest first, as far as the community wrote some.
    past.sort(key=lambda pair: pair[0].start, reverse=True)
    notes = iter(programme.notes)
    for k, (occurrence, recorder) in enumerate(past):
        _record_past(occurrence, recorder, rng, now, next(notes, "") if k % 2 == 0 else "")


def _each_programme(
    wanting: Callable[[Community], bool], seed: Callable[[Community, Programme, datetime], None]
):
    """Run `seed` for each demo community with a programme that is `wanting` it (so seeding runs again safely)."""
    now = timezone.now()
    for community in Community.objects.filter(name__in=PROGRAMMES).order_by("pk"):
        if wanting(community):
            seed(community, PROGRAMMES[community.name], now)


@transaction.atomic
def seed_demo_activities() -> None:
    """Each demo community's calendar, through the calendar services: the series its charter's meeting rhythm
    promises (past and upcoming dates, one cancelled) and its one-off activities, each with hosts, answers
    before every date, attendance and notes afterwards; safe to run again."""
    _each_programme(lambda community: not community.activities.exists(), _seed_calendar)


@transaction.atomic
def seed_scaled_activities(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add ACTIVITIES_PER_SCALE * scale activities across `communities` (mostly one-off, some weekly series of
    four), spread over the past six months and the next three, with RSVPs, attendance and ledger rows."""
    rng = rng or random.Random(scale * 104729)
    now = timezone.now()
    if not communities:
        return 0
    members = active_member_ids(communities)
    activities, plans = [], []
    for i in range(ACTIVITIES_PER_SCALE * scale):
        community = communities[i % len(communities)]
        series = i % 5 == 0
        activities.append(
            Activity(
                community=community,
                title=f"Bench activity {i}",
                kind=KINDS[i % len(KINDS)],
                time_zone="Europe/Berlin",
                place="Online",
                repeat="weekly" if series else "none",
                repeat_count=4 if series else None,
                capacity=rng.choice([None, None, 10, 20]),
            )
        )
        first = now + timedelta(days=rng.randint(-180, 90), hours=rng.randint(0, 23))
        plans.append((first.replace(minute=0, second=0, microsecond=0), 4 if series else 1))
    activities = Activity.objects.bulk_create(activities, batch_size=2000)
    occurrences = []
    for activity, (first, count) in zip(activities, plans, strict=True):
        for n in range(count):
            start = first + timedelta(weeks=n)
            occurrences.append(
                Occurrence(
                    activity=activity,
                    community_id=activity.community_id,
                    sequence=n + 1,
                    original_start=start,
                    start=start,
                    end=start + timedelta(hours=1),
                    attendance_recorded_at=start + timedelta(hours=1) if start < now else None,
                )
            )
    occurrences = Occurrence.objects.bulk_create(occurrences, batch_size=5000)
    rsvps, ledger = [], []
    for occurrence in occurrences:
        pool = members.get(occurrence.community_id, [])
        for user_id in rng.sample(pool, k=min(len(pool), 5)):
            past = occurrence.end < now
            attended = rng.random() < 0.8 if past else None
            answered = min(occurrence.start - timedelta(days=2), now - timedelta(hours=1))
            rsvps.append(
                Rsvp(
                    occurrence=occurrence,
                    user_id=user_id,
                    answer=Answer.GOING,
                    answered_at=answered,
                    attended=attended,
                )
            )
            ledger.append(ledger_row(occurrence.community_id, user_id, Participation.Kind.RSVP, answered))
            if attended:
                ledger.append(
                    ledger_row(occurrence.community_id, user_id, Participation.Kind.ATTENDED, occurrence.end)
                )
    Rsvp.objects.bulk_create(rsvps, batch_size=5000)
    Participation.objects.bulk_create(ledger, batch_size=5000)
    return len(activities)


REPLY_AFTER = (timedelta(hours=2), timedelta(hours=9), timedelta(hours=26))


def _seed_threads(community: Community, programme: Programme, now: datetime) -> None:
    rng = random.Random(f"{community.name} discussions")
    members = _active_members(community)
    latest = now - timedelta(minutes=30)
    for i, thread in enumerate(programme.threads):
        started = now - timedelta(days=thread.days_ago, hours=rng.randint(0, 8))
        present = _joined_before(members, started)
        # Members ask; the core group (coordinators among them) tends to answer first.
        askers = [m for m in present if m.role != Membership.Role.COORDINATOR] or present
        if not askers:
            continue
        author = askers[(3 * i + 1) % len(askers)]
        others = [m for m in present if m.user_id != author.user_id]
        core = [m for m in others if m.level == Level.CORE]
        rest = [m for m in others if m.level != Level.CORE] or core
        discussion = discussion_services.discussion_start(
            author=author.user, community=community, title=thread.title, body=thread.body, at=started
        )
        replies, at = [], started
        for k, body in enumerate(thread.replies[: len(others)]):
            replier = core[i % len(core)] if k == 0 and core else rest[(i + k) % len(rest)]
            at = min(started + REPLY_AFTER[k % len(REPLY_AFTER)] * (k // len(REPLY_AFTER) + 1), latest)
            replies.append(
                discussion_services.reply_add(author=replier.user, discussion=discussion, body=body, at=at)
            )
        if thread.accepted is not None and thread.accepted < len(replies):
            at = min(at + timedelta(hours=20), latest)
            discussion_services.reply_accept(
                actor=author.user, discussion=discussion, reply=replies[thread.accepted], at=at
            )
        if thread.follow_up:
            discussion_services.reply_add(
                author=author.user,
                discussion=discussion,
                body=thread.follow_up,
                at=min(at + timedelta(days=2), latest),
            )


@transaction.atomic
def seed_demo_discussions() -> None:
    """Each demo community's own discussions, through the discussion services: members ask about its domain,
    others answer, and askers accept the answer that helped (some stay open, one is unanswered); safe to run
    again."""
    _each_programme(lambda community: not community.discussions.exists(), _seed_threads)


@transaction.atomic
def seed_scaled_discussions(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add about 1,000 posts per unit of scale (200 discussions, four in five with five replies) across
    `communities`, with follows and ledger rows; most answered, about half of those solved."""
    from activities.models import Discussion, Follow, Reply

    rng = rng or random.Random(scale * 15485863)
    now = timezone.now()
    if not communities:
        return 0
    members = active_member_ids(communities)
    usable = [c for c in communities if len(members.get(c.pk, [])) >= 2]
    discussions = []
    question, answer = "How do you handle this in your team? " * 3, "In our team we tried this. " * 2
    question_html, answer_html = render_post(question), render_post(answer)  # the same texts: rendered once
    for i in range(200 * scale):
        community = usable[i % len(usable)]
        started = now - timedelta(days=rng.randint(0, 360), minutes=rng.randint(0, 1440))
        discussions.append(
            Discussion(
                community=community,
                author_id=rng.choice(members[community.pk]),
                title=f"Bench question {i} about {rng.choice(KINDS)}",
                body=question,
                body_html=question_html,
                created_at=started,
                last_activity_at=started,
            )
        )
    discussions = Discussion.objects.bulk_create(discussions, batch_size=5000)
    authors = {discussion.pk: discussion.author_id for discussion in discussions}
    replies, follows, ledger = [], [], []
    for discussion in discussions:
        pool = members[discussion.community_id]
        follows.append(Follow(discussion=discussion, user_id=discussion.author_id))
        ledger.append(
            ledger_row(
                discussion.community_id,
                discussion.author_id,
                Participation.Kind.POSTED,
                discussion.created_at,
            )
        )
        for k in range(5 if rng.random() < 0.8 else 0):
            author = rng.choice(pool)
            at = discussion.created_at + timedelta(hours=3 * (k + 1))
            replies.append(
                Reply(
                    discussion=discussion,
                    author_id=author,
                    body=answer,
                    body_html=answer_html,
                    created_at=at,
                )
            )
            ledger.append(ledger_row(discussion.community_id, author, Participation.Kind.REPLIED, at))
    Reply.objects.bulk_create(replies, batch_size=5000)
    answered_ids = {r.discussion_id for r in replies if r.author_id != authors[r.discussion_id]}
    # Half of the answered discussions are solved by their first answer (drawn in order, as before).
    solved_ids = [d.pk for d in discussions if d.pk in answered_ids and rng.random() < 0.5]
    # The counters, computed by the database in two statements (a CASE per row costs seconds at scale 10).
    own = Reply.objects.filter(discussion=OuterRef("pk"))
    answers = own.exclude(author=OuterRef("author")).order_by("created_at", "pk")
    Discussion.objects.filter(pk__in=[d.pk for d in discussions]).update(
        reply_count=Coalesce(Subquery(own.values("discussion").annotate(n=Count("pk")).values("n")), 0),
        first_answer_at=Subquery(answers.values("created_at")[:1]),
        last_activity_at=Coalesce(
            Subquery(own.order_by("-created_at", "-pk").values("created_at")[:1]), F("created_at")
        ),
    )
    Discussion.objects.filter(pk__in=solved_ids).update(
        accepted_reply=Subquery(answers.values("pk")[:1]),
        solved_at=Subquery(answers.values("created_at")[:1]),
    )
    Follow.objects.bulk_create(follows, batch_size=5000, ignore_conflicts=True)
    Participation.objects.bulk_create(ledger, batch_size=5000)
    return len(discussions) + len(replies)
