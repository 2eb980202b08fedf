"""Two versions of a resource side by side, differences marked in the HTML itself (never by colour alone).

Lines are compared with difflib; a changed line is compared word by word, removed words wrapped in <del> on
the left and added ones in <ins> on the right, each announced with visually hidden text for screen readers.
Every character of the people's text is escaped here: the result is safe to show.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from repertoire.models import Revision

WORDS = re.compile(r"\s+|[^\s]+")
DEL_START = '<del><span class="visually-hidden">[removed: </span>'
DEL_END = '<span class="visually-hidden">]</span></del>'
INS_START = '<ins><span class="visually-hidden">[added: </span>'
INS_END = '<span class="visually-hidden">]</span></ins>'


@dataclass
class DiffRow:
    """One line of the side-by-side view: what the older and the newer version have there."""

    kind: str  # "same", "changed", "removed", "added", or "skip" (a run of unchanged lines left out)
    old: SafeString
    new: SafeString
    old_number: int | None
    new_number: int | None


@dataclass
class FieldDiff:
    label: str
    rows: list[DiffRow]

    @property
    def changed(self) -> bool:
        return any(row.kind in ("changed", "removed", "added") for row in self.rows)


def _deleted(text: str) -> str:
    return f"{DEL_START}{escape(text)}{DEL_END}" if text else ""


def _inserted(text: str) -> str:
    return f"{INS_START}{escape(text)}{INS_END}" if text else ""


def _words(old: str, new: str) -> tuple[SafeString, SafeString]:
    """A changed line compared word by word."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(escape("".join(a[i1:i2])))
            right.append(escape("".join(b[j1:j2])))
        else:
            left.append(_deleted("".join(a[i1:i2])))
            right.append(_inserted("".join(b[j1:j2])))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every part escaped above


def diff_lines(old_text: str, new_text: str) -> list[DiffRow]:
    """Rows for two texts: equal lines once on each side, changed ones paired, removed or added ones alone."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                line = escape(old_lines[i1 + k])
                rows.append(DiffRow("same", line, line, i1 + k + 1, j1 + k + 1))
            continue
        olds, news = old_lines[i1:i2], new_lines[j1:j2]
        for k in range(max(len(olds), len(news))):
            old = olds[k] if k < len(olds) else None
            new = news[k] if k < len(news) else None
            old_number = i1 + k + 1 if old is not None else None
            new_number = j1 + k + 1 if new is not None else None
            if old is not None and new is not None:
                left, right = _words(old, new)
                rows.append(DiffRow("changed", left, right, old_number, new_number))
            elif old is not None:
                rows.append(DiffRow("removed", mark_safe(_deleted(old)), mark_safe(""), old_number, None))  # noqa: S308
            else:
                rows.append(DiffRow("added", mark_safe(""), mark_safe(_inserted(new)), None, new_number))  # noqa: S308
    return rows


CONTEXT = 3


def with_context(rows: list[DiffRow], context: int = CONTEXT) -> list[DiffRow]:
    """Keep `context` unchanged lines around each change; a longer unchanged run becomes one "skip" row saying
    how many lines it leaves out."""
    keep = [False] * len(rows)
    for n, row in enumerate(rows):
        if row.kind != "same":
            for k in range(max(0, n - context), min(len(rows), n + context + 1)):
                keep[k] = True
    result: list[DiffRow] = []
    skipped: list[DiffRow] = []
    for row, kept in zip(rows, keep, strict=True):
        if kept:
            if skipped:
                result.append(_skip(skipped))
                skipped = []
            result.append(row)
        else:
            skipped.append(row)
    if skipped:
        result.append(_skip(skipped))
    return result


def _skip(rows: list[DiffRow]) -> DiffRow:
    count = len(rows)
    text = mark_safe(f"… {count} unchanged line{'s' if count != 1 else ''} …")  # noqa: S308 - our own text
    return DiffRow("skip", text, text, None, None)


FIELDS = [
    ("title", "Title"),
    ("kind", "Kind"),
    ("summary", "Summary"),
    ("external_url", "Link"),
    ("tags", "Tags"),
    ("body", "Text"),
]


def _value(revision: Revision, field: str) -> str:
    if field == "kind":
        return revision.get_kind_display()
    return getattr(revision, field) or ""


def compare(old: Revision, new: Revision) -> list[FieldDiff]:
    """Each field of two versions, with its rows (unchanged fields have only "same" rows)."""
    diffs = []
    for field, label in FIELDS:
        rows = diff_lines(_value(old, field), _value(new, field))
        diffs.append(FieldDiff(label, rows if len(rows) <= 1 else with_context(rows)))
    return diffs
