"""Demo and benchmark data for the repertoire: resources (with a small PDF), revisions, applied stories,
recommendations, collections and harvested answers and notes.

`seed_demo_resources()` builds the realistic set through the repertoire's services, back-dated with their `at=`
(idempotent: communities that already have resources are left alone). `seed_scaled_resources(scale, communities)`
adds RESOURCES_PER_SCALE * scale resources with bulk inserts, and the ledger rows the services would have written.
"""

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from activities.models import Discussion, Occurrence
from communities.models import Community, Level, Membership, Participation
from copsite.demo.communities import active_member_ids, ledger_row
from core.markup import render_markdown
from members.models import Tag, User
from repertoire import services
from repertoire.models import Application, Collection, CollectionItem, Resource, ResourceFile, Revision
from repertoire.rules import discussion_harvestable, occurrence_harvestable

RESOURCES_PER_SCALE = 200
Kind = Resource.Kind
Status = Resource.Status
BENCH_FILE = "repertoire/bench/sample.pdf"


def minimal_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica text), written by hand: no dependency needed."""

    def escape(text: str) -> str:
        ascii_text = text.encode("latin-1", "replace").decode("latin-1")
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    rows = [f"BT /F1 18 Tf 72 760 Td ({escape(title)}) Tj ET"]
    for n, line in enumerate(lines):
        rows.append(f"BT /F1 11 Tf 72 {728 - 18 * n} Td ({escape(line)}) Tj ET")
    stream = "\n".join(rows).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass(frozen=True)
class DemoResource:
    """One resource of a demo community's library, with the “I applied this” stories members tell about it."""

    title: str
    kind: str
    summary: str
    body: str
    tags: tuple[str, ...]
    stories: tuple[str, ...] = ()
    pdf: bool = False  # a one-page PDF attached, through the upload path
    draft: bool = False  # still a draft: only its authors and the coordinators see it


R = DemoResource
# Each demo community's library, in its own domain (keyed by slug): titles belong to one community.
CATALOGUE: dict[str, tuple[DemoResource, ...]] = {
    "site-reliability-guild": (
        R(
            "Blameless incident review checklist",
            Kind.TEMPLATE,
            "The twelve questions we walk through after every incident, timeline first and causes second.",
            "## Before the review\n\n- Collect the timeline from chat and alerts.\n- Invite the people involved "
            "and one facilitator from another team.\n\n## During\n\n1. Walk the timeline without names.\n"
            "2. List contributing causes, never a single root cause.\n3. Agree on at most three actions.\n\n"
            "## After\n\nPublish the review within five working days.",
            ("incident reviews", "on-call"),
            (
                "Ran our last database failover review with it; the team agreed three actions instead of eleven.",
                "Used it for a payment outage: walking the timeline without names got the night shift talking.",
            ),
            pdf=True,
        ),
        R(
            "Error budgets made us ship faster",
            Kind.STORY,
            "How the payments team used its error budget to argue for, not against, more frequent releases.",
            "We agreed a 99.9% objective with product. When the budget was healthy we shipped daily; when it "
            "burned we paused features and fixed reliability. Releases went from monthly to daily in a quarter.",
            ("error budgets", "release engineering"),
            ("Showed it to our product manager; we agreed our first service level objective the same week.",),
        ),
        R(
            "Writing an alert someone can act on at 3 a.m.",
            Kind.PRACTICE,
            "Every page names the symptom, the dashboard and the first step; an alert without them is a ticket.",
            "- Alert on symptoms users feel (errors, latency), not on causes (CPU).\n- Link the dashboard and the "
            "runbook step in the alert itself.\n- If nobody needs to act within the hour, it is a ticket, not a "
            "page.\n\nReview every page of the last rotation at the handover.",
            ("alerting", "on-call"),
            ("Rewrote our paging rules with it: pages at night went from nine a week to two.",),
        ),
        R(
            "On-call handover note",
            Kind.TEMPLATE,
            "What is burning, what changed, what to watch: the five-minute handover between rotations.",
            "## Open incidents\n\n## Changes shipped this week\n\n## Alerts that fired, and whether they should "
            "have\n\n## What to watch",
            ("on-call",),
            draft=True,
        ),
    ),
    "accessibility-champions": (
        R(
            "Keyboard-first audit of a web journey",
            Kind.PRACTICE,
            "Walk a journey with the keyboard only before anything else: it finds half the problems in an hour.",
            "1. Unplug the mouse.\n2. Tab through the journey: is the focus always visible?\n3. Can every "
            "control be reached and used?\n4. Does a dialog keep and return the focus?\n\nNote each problem with "
            "the page, the control and what happened.",
            ("audits", "keyboard"),
            (
                "Ran it on the checkout journey: found a focus trap in the address dialog before release.",
                "Our support portal failed step 2 on every page; the fix was one line of CSS.",
            ),
            pdf=True,
        ),
        R(
            "Contrast is not only for text",
            Kind.LESSON,
            "Icons, focus rings and form borders need 3:1 contrast too; our design tokens missed it for a year.",
            "We checked text contrast in CI, but the focus ring on our brand colour was 1.9:1. Add non-text "
            "contrast (WCAG 1.4.11) to the checks of your design system.",
            ("contrast", "design systems"),
            ("Checked our design tokens against 1.4.11: four component borders changed in one sprint.",),
        ),
        R(
            "Screen reader smoke test in fifteen minutes",
            Kind.PRACTICE,
            "Headings, landmarks, form labels and announcements: the four checks to run with NVDA or VoiceOver.",
            "1. List the headings: do they outline the page?\n2. Jump between landmarks.\n3. Tab through a form: "
            "is every field announced with its label?\n4. Submit with an error: is the error announced?",
            ("screen readers", "usability testing"),
            ("Added it to our release checklist; the first run found an unlabelled search field.",),
        ),
        R(
            "Accessibility acceptance criteria for user stories",
            Kind.TEMPLATE,
            "Five criteria to paste into every story that touches the interface.",
            "- Works with the keyboard alone.\n- Focus is visible and in a sensible order.\n- Every control has "
            "a name.\n- Text and non-text contrast pass.\n- Errors are announced and explained.",
            ("user stories", "wcag"),
            draft=True,
        ),
    ),
    "lean-practitioners": (
        R(
            "A3 problem-solving template",
            Kind.TEMPLATE,
            "One page from background to follow-up: the A3 we use on the shop floor.",
            "Background · Current condition · Goal · Root-cause analysis · Countermeasures · Plan · Follow-up.\n\n"
            "Fill it in pencil, with the team, at the place where the work happens.",
            ("a3", "kaizen"),
            ("Used the A3 on scrap at the Aarhus packaging line; scrap halved in six weeks.",),
            pdf=True,
        ),
        R(
            "Why our first value-stream map failed",
            Kind.LESSON,
            "We mapped from the meeting room. Walk the stream first, with a stopwatch.",
            "The map we drew from memory showed four steps; the real stream had eleven, and two queues that "
            "held work for days. Walk it, time it, then map it.",
            ("value stream mapping",),
            ("Walked our order stream with a stopwatch as advised: two queues nobody had on the map.",),
        ),
        R(
            "Changeover checklist for filling lines",
            Kind.PRACTICE,
            "Separate what can be prepared while the line runs from what needs it stopped: SMED on one page.",
            "1. Film a changeover and list every step.\n2. Mark each step internal (line stopped) or external.\n"
            "3. Move external steps before the stop: tools, parts and settings ready at the line.\n4. Standardise "
            "the rest with the operators who do it.",
            ("smed", "changeovers"),
            (
                "Line 3 in Aarhus timed its changeovers with the checklist: from 42 minutes to 37.",
                "Our night shift prepared the format parts during the run; the stop now fits in one break.",
            ),
        ),
        R(
            "Running a gemba walk people look forward to",
            Kind.PRACTICE,
            "Go, see, ask why, show respect: questions for the walk and what not to do there.",
            "Ask what the team is trying to improve and what is in the way. Do not fix things on the spot or "
            "judge. Follow up within a week on what you promised.",
            ("gemba",),
            draft=True,
        ),
    ),
    "maintenance-reliability-network": (
        R(
            "Vibration monitoring starter kit",
            Kind.PRACTICE,
            "Where to mount sensors on pumps and motors, how to take a baseline and when to raise an alarm.",
            "- Mount on the bearing housings, in three axes.\n- Take a baseline over two weeks of normal running."
            "\n- Alarm at twice the baseline, plan work at four times (ISO 10816 zones as a cross-check).",
            ("vibration analysis", "predictive maintenance"),
            (
                "Fitted the three cooling-water pumps at Gdańsk: a bearing fault showed four weeks before it "
                "would have stopped the line.",
            ),
            pdf=True,
        ),
        R(
            "Five whys on a hydraulic press failure",
            Kind.CASE_STUDY,
            "A burst hose stopped press 7 for two shifts; the fifth why was a purchasing specification.",
            "1. The hose burst. 2. It was rated below the system's peak pressure. 3. The replacement was bought "
            "as 'equivalent'. 4. The specification listed size, not pressure rating. 5. Nobody owned the "
            "specification.\n\nCountermeasure: pressure ratings in every hydraulic spare's specification.",
            ("root cause analysis", "hydraulics"),
            (
                "Ran the format on our conveyor gearbox failure: the cause was a lubrication interval nobody owned.",
            ),
        ),
        R(
            "Hydraulic oil sampling procedure",
            Kind.TEMPLATE,
            "Sample from the same point, at running temperature, every month: a clean sample or none.",
            "- Sample from the return line before the filter, with the system warm.\n- Flush the valve, then fill "
            "the clean bottle.\n- Label with machine, date and hours.\n- Track particle count (ISO 4406) and "
            "water content over time.",
            ("hydraulics", "oil analysis"),
            ("Particle counts from monthly samples told us to change filters, not the pump.",),
        ),
        R(
            "From calendar to condition-based maintenance: what we learned",
            Kind.LESSON,
            "Moving two plants off fixed intervals took a year; the data was the easy part.",
            "The sensors worked in a month. Trust took longer: planners kept the old intervals until the first "
            "predicted failure was confirmed on the bench.",
            ("predictive maintenance", "maintenance planning"),
            draft=True,
        ),
    ),
    "data-science-circle": (
        R(
            "Model review checklist",
            Kind.TEMPLATE,
            "Leakage, baseline, validation split, monitoring: the questions we ask before a model goes live.",
            "- Could any feature know the answer before the prediction is made?\n- What does the simplest "
            "baseline score?\n- Is validation split by time, not at random?\n- Who watches it in production, "
            "and what makes us retrain?",
            ("model review", "machine learning"),
            (
                "Our churn model failed the leakage question; fixed it before it reached the account managers.",
                "Used it to review the demand forecast; the time split cut our claimed accuracy, honestly.",
            ),
            pdf=True,
        ),
        R(
            "Watching a model for drift in production",
            Kind.PRACTICE,
            "Compare inputs and errors week by week, and agree in advance what makes you retrain.",
            "- Population stability index on the ten most important inputs.\n- Forecast error per week against "
            "the validation error.\n- Retrain when either crosses the line you agreed before go-live.",
            ("mlops", "monitoring"),
            ("The weekly drift report caught a feed change after a supplier switched units.",),
        ),
        R(
            "Always beat the naive forecast first",
            Kind.LESSON,
            "Our first gradient-boosted forecast lost to 'same week last year'. Compare before you celebrate.",
            "Start every forecasting project with the seasonal naive forecast as the bar. Report the improvement "
            "over it, not the raw error.",
            ("forecasting", "baselines"),
            ("Compared our new model to the seasonal naive forecast: it won, by less than we had claimed.",),
        ),
        R(
            "Sample sizes for A/B tests, without the maths",
            Kind.TOOL,
            "A table of how many users each arm needs for the effect you care about.",
            "| baseline rate | effect | users per arm |\n|---|---|---|\n| 5% | +1 point | 8,200 |\n"
            "| 10% | +1 point | 14,700 |\n| 20% | +2 points | 6,500 |",
            ("statistics", "experiments"),
        ),
    ),
    "safety-leaders": (
        R(
            "Near-miss report form",
            Kind.TEMPLATE,
            "Five questions on one card: what happened, where, what could have happened, what you did, your idea.",
            "Anonymous if you wish. A site lead reads every report within a day and answers on the board.",
            ("near misses", "safety culture"),
            (
                "Put the form on a QR code at each workstation in Leeds; near-miss reports doubled in a month.",
                "Answering every card on the board within a day made the difference at our site.",
            ),
            pdf=True,
        ),
        R(
            "Running a learning review after a serious incident",
            Kind.PRACTICE,
            "Ask how the work is normally done before asking what went wrong.",
            "1. Meet the people involved separately, then together.\n2. Map normal work first.\n3. Find where "
            "normal work and the procedure had drifted apart.\n4. Fix the conditions, not the person.",
            ("incident investigation",),
            (
                "After a forklift collision the review showed the aisle layout, not the driver, was the problem.",
            ),
        ),
        R(
            "Stop-work authority in practice",
            Kind.STORY,
            "An operator stopped a crane lift in the wind; how the site thanked her changed who speaks up.",
            "The lift would probably have been fine. The site manager thanked her in front of the shift anyway. "
            "Stop calls went from none to six in the next quarter, two of them real hazards.",
            ("safety culture", "stop work"),
            (
                "Told this story at our toolbox talk; two operators used their stop-work authority the week after.",
            ),
        ),
        R(
            "Job hazard analysis for contractors",
            Kind.TEMPLATE,
            "Steps, hazards and controls, agreed with the contractor before work starts.",
            "| step | hazard | control | who checks |\n|---|---|---|---|",
            ("risk assessment", "contractors"),
            draft=True,
        ),
    ),
    "customer-onboarding-practice": (
        R(
            "First-90-days onboarding playbook",
            Kind.PRACTICE,
            "Kick-off, a first value milestone within 30 days, and health checks at 60 and 90.",
            "## Days 1 to 10\n\nKick-off with business and IT; agree the first milestone.\n\n## Days 10 to 30\n\n"
            "Reach the milestone.\n\n## Days 30 to 90\n\nHealth checks; hand over to the account team.",
            ("playbooks", "customer onboarding"),
            (
                "Used it with a new logistics customer in Iberia; they reached their first milestone in 24 days.",
                "Our region adapted the health checks; two at-risk customers were spotted by day 60.",
            ),
            pdf=True,
        ),
        R(
            "Kick-off call agenda",
            Kind.TEMPLATE,
            "Sixty minutes with the customer's business and IT leads in one room.",
            "1. Why they bought (10 min)\n2. The first milestone and its date (20 min)\n3. Who does what "
            "(15 min)\n4. Risks and next steps (15 min)",
            ("kick-off",),
            ("Ran the agenda with both IT and business leads together: no second kick-off was needed.",),
        ),
        R(
            "Designing training that customers finish",
            Kind.LESSON,
            "Our two-day course lost half its people by the afternoon; ten-minute modules by role did not.",
            "Cut training into short modules per role, each ending with a task in the customer's own system. "
            "Completion rose from 40% to 85%.",
            ("training design",),
            ("Cut our administrator training into ten-minute modules; completion went from 40% to 85%.",),
        ),
        R(
            "Time to first value: how we measure it",
            Kind.DOCUMENT,
            "The definition every region uses, and where the numbers come from.",
            "Time to first value is the days from signature to the first milestone the customer confirmed in "
            "writing. Regions report it monthly.",
            ("metrics", "customer onboarding"),
            draft=True,
        ),
    ),
    "knowledge-management-forum": (
        R(
            "After-action review in thirty minutes",
            Kind.PRACTICE,
            "Four questions, asked right after the work, with everyone who did it.",
            "1. What was supposed to happen?\n2. What actually happened?\n3. Why was there a difference?\n"
            "4. What will we do next time?\n\nWrite the answers where the next team will look.",
            ("after-action reviews", "knowledge management"),
            ("Ran one after the ERP cut-over; thirty minutes gave us a page two other sites reused.",),
            pdf=True,
        ),
        R(
            "Interview guide for people leaving a role",
            Kind.TEMPLATE,
            "Capture what someone knows before they move on: the decisions, the contacts, the workarounds.",
            "- What do people ask you most?\n- Which decisions would you make differently?\n- Who do you call "
            "when things go wrong?\n- What is not written down anywhere?",
            ("knowledge retention",),
            ("Interviewed our retiring plant engineer; two days of recordings became twelve how-tos.",),
        ),
        R(
            "Why our wiki went stale",
            Kind.LESSON,
            "Pages without an owner and a review date rot; ours did within a year.",
            "Give every page an owner and a review date, and archive what nobody claims.",
            ("knowledge management", "wikis"),
            ("Gave every page an owner as suggested; half the stale pages were archived in a week.",),
        ),
        R(
            "Starting a community of practice: the first three months",
            Kind.DOCUMENT,
            "Find the domain, the people who care and a rhythm before building anything.",
            "Month one: conversations with future members. Month two: a first meeting about a real problem. "
            "Month three: agree a rhythm and a coordinator.",
            ("communities of practice", "facilitation"),
            draft=True,
        ),
    ),
    "agile-coaches-collective": (
        R(
            "Retrospective formats beyond 'went well, went badly'",
            Kind.PRACTICE,
            "Timeline, sailboat and 4Ls: which format for which moment of a team.",
            "- **Timeline** after a long or hard stretch.\n- **Sailboat** when the team feels stuck.\n- **4Ls** "
            "(liked, learned, lacked, longed for) for a steady team that needs fresh eyes.",
            ("retrospectives", "facilitation"),
            (
                "Used the timeline after a hard release; it was the first retro where the testers spoke up.",
                "Tried the sailboat with a leadership team: they named two anchors they had never said aloud.",
            ),
            pdf=True,
        ),
        R(
            "Team kick-off canvas",
            Kind.TEMPLATE,
            "Purpose, stakeholders, working agreements and the first goal, on one wall.",
            "## Purpose\n\n## Stakeholders\n\n## Working agreements\n\n## Our first goal and how we will know",
            ("team kick-offs",),
            ("Kicked off a new platform team with it; their working agreements are still on the wall.",),
        ),
        R(
            "Handover plan to the delivery excellence office",
            Kind.DOCUMENT,
            "Which coaching practices the new office takes over, which end with the collective, and when.",
            "| practice | goes to | by |\n|---|---|---|\n| Team kick-offs | Delivery excellence office | Q3 |\n"
            "| Retrospective formats | Delivery excellence office | Q3 |\n| Coaching circles | Ends | Q4 |",
            ("handover",),
        ),
        R(
            "What we learned coaching remote teams",
            Kind.LESSON,
            "Shorter sessions, cameras optional, and a shared board open before the call starts.",
            "Remote retrospectives work at 45 minutes, not 90. Open the board before the call, let people write "
            "in silence first, and end with one action.",
            ("remote teams", "agile coaching"),
            draft=True,
        ),
    ),
    "security-champions": (
        R(
            "Threat modelling a service in one hour",
            Kind.PRACTICE,
            "Draw the data flows, walk STRIDE over each one, and leave with three tickets.",
            "1. Draw the service, its stores and who calls it (15 min).\n2. For each flow: spoofing, tampering, "
            "repudiation, information disclosure, denial of service, elevation of privilege (30 min).\n3. "
            "Pick the three worst and file them (15 min).",
            ("threat modelling",),
            (
                "Modelled the payments API in the hour; we found an admin endpoint with no rate limit.",
                "Our team's first threat model: three tickets, all fixed within the sprint.",
            ),
            pdf=True,
        ),
        R(
            "A secret was pushed to a repository: the first hour",
            Kind.FAQ,
            "Rotate it first; deleting the commit does not make it secret again.",
            "1. Revoke and rotate the secret.\n2. Check the logs for its use since the push.\n3. Then clean "
            "the history, and add a pre-commit secret scan.",
            ("secrets", "incident response"),
            (
                "A token leaked in a public repository; we rotated it within forty minutes following the steps.",
            ),
        ),
        R(
            "A security champion's first month",
            Kind.DOCUMENT,
            "What a new champion does in weeks one to four, and who to ask.",
            "Week 1: meet the security team. Week 2: review your team's dependencies. Week 3: run a threat model "
            "with the team. Week 4: share one finding at the champions' call.",
            ("security champions",),
            ("New champions in two teams followed it; both ran a threat model by week four.",),
        ),
        R(
            "Dependency update policy",
            Kind.TEMPLATE,
            "How fast each severity of vulnerable dependency must be updated, and who decides exceptions.",
            "| severity | update within |\n|---|---|\n| critical | 2 days |\n| high | 2 weeks |\n| other | "
            "next release |",
            ("dependencies", "security"),
            draft=True,
        ),
    ),
    "storytelling-content": (
        R(
            "Customer story interview guide",
            Kind.TEMPLATE,
            "The questions that find the turning point of a customer's story, and the quote that carries it.",
            "- What was hard before?\n- When did you know it had to change?\n- What was the moment it worked?\n"
            "- What would you tell someone in your shoes?",
            ("interviews", "storytelling"),
            (
                "Interviewed a hospital customer with the guide; her answer on the turning point became the headline.",
            ),
            pdf=True,
        ),
        R(
            "Plain-language checklist for technical writing",
            Kind.PRACTICE,
            "Short sentences, the active voice, one idea per paragraph, and the reader's words.",
            "- Sentences under 20 words.\n- Say who does what.\n- One idea per paragraph.\n- Use the words your "
            "readers search for, not the product's internal names.",
            ("plain language", "technical writing"),
            ("Ran the checklist over our installation guide; installation tickets fell by a quarter.",),
        ),
        R(
            "The story structure we use for case studies",
            Kind.PRACTICE,
            "Situation, complication, turning point, result: four paragraphs, one customer voice.",
            "Open with the customer's situation in their words; name the complication; tell the turning point "
            "as a scene; end with a result they measured.",
            ("case studies", "storytelling"),
            ("Rewrote three case studies with the structure; sales now sends them instead of slides.",),
        ),
        R(
            "Why nobody read our release notes",
            Kind.LESSON,
            "We listed features; readers wanted to know what changes for them.",
            "Lead with what the reader can now do, in one sentence each. Put the full list behind a link.",
            ("release notes", "technical writing"),
            draft=True,
        ),
    ),
    "supply-chain-forecasting": (
        R(
            "Safety stock calculator",
            Kind.TOOL,
            "Service level, demand variability and lead time in, safety stock out: the sheet and how to read it.",
            "Safety stock is the service factor times the spread of demand over the lead time. Use the service "
            "level agreed per product class, not one for everything, and recalculate each quarter.",
            ("inventory planning", "safety stock"),
            (
                "Recalculated safety stock for 40 slow movers; we freed shelf space without a single stock-out.",
            ),
            pdf=True,
        ),
        R(
            "Forecast value added: does each step improve the forecast?",
            Kind.PRACTICE,
            "Measure the error after each step of the process, from the statistical forecast to the final one.",
            "Compare the naive forecast, the statistical forecast and the forecast after each manual review. "
            "Drop the steps that make it worse.",
            ("forecasting", "demand planning"),
            (
                "Measured it for a quarter: the manual overrides made the forecast worse for half our products.",
            ),
        ),
        R(
            "Monthly demand review agenda",
            Kind.TEMPLATE,
            "Sixty minutes, decisions written down: last month's error, this month's risks, the numbers we sign.",
            "1. Forecast error last month, by family (10 min)\n2. Promotions and risks ahead (30 min)\n"
            "3. Agree and record the numbers (20 min)",
            ("demand planning", "s&op"),
        ),
        R(
            "Promotions broke our forecast",
            Kind.LESSON,
            "A promotion lifted sales for two weeks and the model learned it as a trend.",
            "Flag promotion weeks in the history and model their lift separately; otherwise the baseline drifts "
            "up after every campaign.",
            ("forecasting", "promotions"),
            draft=True,
        ),
    ),
}
# For a community the catalogue does not know (one added by hand before seeding): its name makes each title its own.
GENERIC = (
    R(
        "How {name} runs its monthly show-and-tell",
        Kind.PRACTICE,
        "Three members, ten minutes each, one question from the floor: the format that keeps people coming.",
        "- Ask three members a week ahead.\n- Ten minutes each: the problem, what they tried, what happened.\n"
        "- One question each from the floor, then the next.\n\nRecord it and link the recording here.",
        ("meetings", "sharing"),
        ("We tried the format at our last meeting; people stayed for the questions.",),
    ),
    R(
        "Onboarding guide to {name}",
        Kind.DOCUMENT,
        "Where things are, who to ask, and the three resources to read first.",
        "Welcome! Start with the charter on the community's home, then read the resources in the "
        "*Start here* collection. Introduce yourself in the discussions.",
        ("onboarding",),
        ("Sent it to two new members; both introduced themselves in the discussions that week.",),
    ),
    R(
        "FAQ: how do I propose a topic for a {name} session?",
        Kind.FAQ,
        "Post it in the discussions; the core group picks two a month.",
        "Post it in the discussions with a short description. The core group reviews ideas at its monthly "
        "meeting and picks two.",
        ("sessions",),
    ),
)
# Revisions add to a resource's body, with a change note.
REVISIONS = (
    ("\n\n## Tips\n\nKeep it short and do it every time.", "Added tips"),
    ("\n\nUpdated after feedback from the community session.", "Clarified after feedback"),
)


@transaction.atomic
def seed_demo_resources() -> int:
    """Four resources per demo community in its own domain (one with a PDF), some revised, most applied, a few
    drafts, a “Start here” collection, one recommended, and a harvest: an accepted answer published as an FAQ in
    every other community, an activity's notes kept as a draft lesson in the others. Everything goes through the
    repertoire's services, back-dated with `at=` (authors and readers were members by then). Safe to run again:
    communities that already have resources are left alone. Returns how many resources were added."""
    now = timezone.now()
    added = 0
    communities = Community.objects.exclude(slug__startswith="bench-").filter(archived_at__isnull=True)
    for index, community in enumerate(communities.order_by("pk")):
        if not community.resources.exists():
            added += _seed_library(community, index, now)
    return added


class _Members:
    """A community's active members in the order they joined, and who could act at a given time."""

    def __init__(self, community: Community):
        self.all = list(
            Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
            .select_related("user")
            .order_by("joined_at", "pk")
        )
        self.founded = community.created_at

    def joined(self, membership: Membership) -> datetime:
        return membership.joined_at or self.founded

    def by(self, at: datetime, *, core: bool = False, coordinators: bool = False) -> list[User]:
        """Who was a member at `at` (of the core group or coordinators, when asked)."""
        return [
            m.user
            for m in self.all
            if self.joined(m) <= at
            and (not coordinators or m.role == Membership.Role.COORDINATOR)
            and (not core or m.role == Membership.Role.COORDINATOR or m.level == Level.CORE)
        ]


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment between `start` and `end` (`start` when the span is empty), to the minute."""
    if end <= start:
        return start
    return start + timedelta(minutes=rng.randint(0, int((end - start).total_seconds() // 60)))


def _seed_library(community: Community, index: int, now: datetime) -> int:
    rng = random.Random(f"library:{community.slug}")
    members = _Members(community)
    if len(members.all) < 3:
        return 0
    entries = CATALOGUE.get(community.slug) or tuple(
        replace(entry, title=entry.title.format(name=community.name)) for entry in GENERIC
    )
    published = []
    for n, entry in enumerate(entries):
        settled = [m for m in members.all if members.joined(m) <= now - timedelta(days=40)] or members.all
        membership = rng.choice(settled)
        author = membership.user
        earliest = max(members.joined(membership) + timedelta(days=1), now - timedelta(days=200))
        added = min(_between(rng, earliest, now - timedelta(days=30)), now)
        co_authors = [p for p in members.by(added) if p != author] if n % 2 else []
        resource = services.resource_create(
            actor=author,
            community=community,
            title=entry.title,
            kind=entry.kind,
            summary=entry.summary,
            body=entry.body,
            tags=entry.tags,
            status=Status.DRAFT if entry.draft else Status.PUBLISHED,
            co_authors=[rng.choice(co_authors)] if co_authors else [],
            uploads=[_pdf_upload(entry, community)] if entry.pdf else [],
            at=added,
        )
        if entry.draft:
            continue
        _revise(resource, entry, members, rng, versions=1 + n % 3, now=now)
        told = _apply(resource, entry, members, rng, now=now)
        if n == 0 and told:
            recommenders = members.by(told, core=True)
            if recommenders:
                services.resource_recommend(
                    actor=recommenders[0], resource=resource, at=min(told + timedelta(days=2), now)
                )
        published.append(resource)
    coordinators = members.by(now - timedelta(days=10), coordinators=True)
    if published and coordinators:
        start_here = services.collection_create(
            actor=coordinators[0],
            community=community,
            title="Start here",
            description="Read these first when you join.",
            at=now - timedelta(days=10),
        )
        for resource in published[:3]:
            services.collection_add(actor=coordinators[0], collection=start_here, resource=resource)
    # Elsewhere, accepted answers and activity notes wait on the harvest page.
    harvested = (
        _harvest_answer(community, members, rng, now)
        if index % 2
        else _harvest_notes(community, members, rng, now)
    )
    return len(entries) + harvested


def _pdf_upload(entry: DemoResource, community: Community) -> SimpleUploadedFile:
    """The one-page PDF of a resource, as a browser would upload it."""
    pdf = minimal_pdf(entry.title, [entry.summary[:90], f"Shared in the CoPsite library of {community.name}"])
    return SimpleUploadedFile(f"{slugify(entry.title)[:60]}.pdf", pdf, content_type="application/pdf")


def _revise(resource: Resource, entry: DemoResource, members: _Members, rng, *, versions: int, now) -> None:
    """Versions 2 and up, three days apart, by an author or a coordinator."""
    editors = list(resource.authors.order_by("pk"))
    for version in range(2, versions + 1):
        at = min(resource.created_at + timedelta(days=3 * (version - 1), hours=rng.randint(0, 8)), now)
        candidates = editors + [p for p in members.by(at, coordinators=True) if p not in editors]
        services.resource_update(
            actor=candidates[version % len(candidates)],
            resource=resource,
            title=entry.title,
            kind=entry.kind,
            summary=entry.summary,
            body=entry.body + "".join(addition for addition, _ in REVISIONS[: version - 1]),
            tags=entry.tags,
            note=REVISIONS[version - 2][1],
            at=at,
        )


def _apply(resource: Resource, entry: DemoResource, members: _Members, rng, *, now) -> datetime | None:
    """Members (not its authors) tell how they applied it; returns when the last one did."""
    authors = set(resource.authors.values_list("pk", flat=True))
    last = None
    for k, story in enumerate(entry.stories):
        at = min(resource.created_at + timedelta(days=8 + 6 * k, hours=rng.randint(0, 10)), now)
        readers = [p for p in members.by(at) if p.pk not in authors]
        if not readers:
            continue
        reader = rng.choice(readers)
        authors.add(reader.pk)  # one story each
        services.resource_apply(actor=reader, resource=resource, story=story, at=at)
        last = at
    return last


def _harvest_answer(community: Community, members: _Members, rng, now) -> int:
    """A coordinator or core member harvests one accepted answer into an FAQ and publishes it; 1 if one was."""
    discussions = (
        Discussion.objects.filter(community=community, accepted_reply__isnull=False)
        .exclude(pk__in=Resource.objects.filter(source_discussion__isnull=False).values("source_discussion"))
        .select_related("accepted_reply")
        .order_by("pk")
    )
    discussion = next((d for d in discussions if discussion_harvestable(d)), None)
    if discussion is None:
        return 0
    solved = discussion.solved_at or discussion.accepted_reply.created_at
    at = _between(rng, solved, min(solved + timedelta(days=7), now))
    harvesters = members.by(at, core=True)
    if not harvesters:
        return 0
    draft = services.resource_harvest_discussion(actor=harvesters[0], discussion=discussion, at=at)
    services.resource_update(
        actor=harvesters[0],
        resource=draft,
        title=draft.title,
        kind=draft.kind,
        summary=draft.summary,
        body=draft.body,
        status=Status.PUBLISHED,
        note="Harvested from the discussion",
        at=min(at + timedelta(hours=1), now),
    )
    return 1


def _harvest_notes(community: Community, members: _Members, rng, now) -> int:
    """A coordinator or core member harvests the latest activity notes into a draft lesson; 1 if they did."""
    occurrences = (
        Occurrence.objects.filter(community=community, cancelled=False, end__lt=now)
        .exclude(notes="")
        .exclude(pk__in=Resource.objects.filter(source_occurrence__isnull=False).values("source_occurrence"))
        .order_by("-start")
    )
    occurrence = next((o for o in occurrences if occurrence_harvestable(o)), None)
    if occurrence is None:
        return 0
    at = _between(rng, occurrence.end, min(occurrence.end + timedelta(days=2), now))
    harvesters = members.by(at, core=True)
    if not harvesters:
        return 0
    services.resource_harvest_occurrence(actor=harvesters[0], occurrence=occurrence, at=at)
    return 1


def _bench_file_name() -> str:
    """One small PDF in storage that every benchmark file row points to (written once)."""
    if not default_storage.exists(BENCH_FILE):
        default_storage.save(
            BENCH_FILE, ContentFile(minimal_pdf("Benchmark file", ["A benchmark attachment."]))
        )
    return BENCH_FILE


@transaction.atomic
def seed_scaled_resources(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add RESOURCES_PER_SCALE * scale resources across `communities` with bulk inserts: tags, authors, a file
    on one in four, one to three revisions, up to four applied stories, collections, and ledger rows."""
    rng = rng or random.Random(scale * 32452843)
    now = timezone.now()
    members = active_member_ids(communities)
    usable = [c for c in communities if len(members.get(c.pk, [])) >= 2]
    if not usable:
        return 0
    tag_ids = list(Tag.objects.order_by("-pk").values_list("pk", flat=True)[: 20 * scale + 20])
    kinds = list(Kind.values)
    body = "## Context\n\nWhat we tried in our team.\n\n## What happened\n\nIt worked, mostly. " * 3
    body_html = render_markdown(body)  # the same text for every benchmark resource: rendered once
    resources = []
    for i in range(RESOURCES_PER_SCALE * scale):
        community = usable[i % len(usable)]
        added = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
        status = Status.DRAFT if i % 20 == 0 else Status.ARCHIVED if i % 25 == 1 else Status.PUBLISHED
        resources.append(
            Resource(
                community=community,
                kind=kinds[i % len(kinds)],
                title=f"Bench resource {i}: {rng.choice(['checklist', 'workshop', 'playbook', 'lesson', 'story'])}",
                summary="A benchmark resource about how a team improved its practice.",
                body=body,
                body_html=body_html,
                status=status,
                created_by_id=rng.choice(members[community.pk]),
                created_at=added,
                updated_at=added,
                published_at=None if status == Status.DRAFT else added,
            )
        )
    resources = Resource.objects.bulk_create(resources, batch_size=5000)
    file_name = _bench_file_name()
    file_size = default_storage.size(file_name)
    authors, tags, files, revisions, applications, ledger = [], [], [], [], [], []
    for resource in resources:
        pool = members[resource.community_id]
        authors.append(Resource.authors.through(resource_id=resource.pk, user_id=resource.created_by_id))
        for tag_id in rng.sample(tag_ids, k=min(2, len(tag_ids))):
            tags.append(Resource.tags.through(resource_id=resource.pk, tag_id=tag_id))
        if resource.status != Status.DRAFT:
            ledger.append(
                ledger_row(
                    resource.community_id,
                    resource.created_by_id,
                    Participation.Kind.RESOURCE_ADDED,
                    resource.created_at,
                    source=f"resource:{resource.pk}",
                )
            )
        if resource.pk % 4 == 0:
            files.append(
                ResourceFile(
                    resource=resource,
                    file=file_name,
                    name="checklist.pdf",
                    content_type="application/pdf",
                    size=file_size,
                    uploaded_by_id=resource.created_by_id,
                    uploaded_at=resource.created_at,
                )
            )
        if resource.status == Status.DRAFT:
            continue
        for number in range(1, rng.randint(1, 3) + 1):
            revisions.append(
                Revision(
                    resource=resource,
                    number=number,
                    kind=resource.kind,
                    title=resource.title,
                    summary=resource.summary,
                    body=resource.body + ("\n\nRevised." * (number - 1)),
                    edited_by_id=rng.choice(pool),
                    created_at=resource.created_at + timedelta(days=number - 1),
                    note="First published" if number == 1 else "Benchmark edit",
                )
            )
        appliers = rng.sample(pool, k=min(len(pool), rng.randint(0, 4)))
        resource.applied_count = len(appliers)
        for user_id in appliers:
            at = resource.created_at + timedelta(days=rng.randint(1, 30))
            applications.append(
                Application(
                    resource=resource, user_id=user_id, story="We used it and it helped.", created_at=at
                )
            )
            ledger.append(
                ledger_row(
                    resource.community_id,
                    user_id,
                    Participation.Kind.APPLIED,
                    at,
                    source=f"resource:{resource.pk}",
                )
            )
    Resource.authors.through.objects.bulk_create(authors, batch_size=5000)
    Resource.tags.through.objects.bulk_create(tags, batch_size=5000, ignore_conflicts=True)
    ResourceFile.objects.bulk_create(files, batch_size=5000)
    Revision.objects.bulk_create(revisions, batch_size=5000)
    Application.objects.bulk_create(applications, batch_size=5000)
    # One statement, not a CASE per row: each resource's count of "I applied this" stories.
    applied = Application.objects.filter(resource=OuterRef("pk")).values("resource").annotate(n=Count("pk"))
    Resource.objects.filter(pk__in=[r.pk for r in resources if r.applied_count]).update(
        applied_count=Subquery(applied.values("n"))
    )
    Participation.objects.bulk_create(ledger, batch_size=5000)
    _seed_scaled_collections(usable, resources, now)
    return len(resources)


def _seed_scaled_collections(communities: list[Community], resources: list[Resource], now) -> None:
    published: dict[int, list[Resource]] = {}
    for resource in resources:
        if resource.status == Status.PUBLISHED:
            published.setdefault(resource.community_id, []).append(resource)
    collections = Collection.objects.bulk_create(
        [
            Collection(community=c, title=f"Start here ({resources[0].pk})", created_at=now)
            for c in communities
            if published.get(c.pk)
        ]
    )
    CollectionItem.objects.bulk_create(
        [
            CollectionItem(collection=collection, resource=resource, position=k)
            for collection in collections
            for k, resource in enumerate(published[collection.community_id][:5], start=1)
        ]
    )
