"""Shadow mode: what other moderation settings would have done with the comments that came.

Each comment since a date is judged again from the score it was given on arrival, under the
policy and thresholds being tried, and set beside what happened: the verdict it got then, and
what the owner decided in the end.
"""

from collections import Counter
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from comments.models import Comment

from . import policy as policies
from .models import Decision

# How the replay reads a verdict (the status a comment got, or would get, on arrival).
WORDS = {
    Comment.Status.PUBLISHED: _("published"),
    Comment.Status.PENDING: _("held"),
    Comment.Status.SPAM: _("spam"),
}


@dataclass
class Replayed:
    comment: Comment
    score: float
    was: Comment.Status  # the status given on arrival
    would: Comment.Status  # the status the settings tried would give
    owner: str  # the status a person gave it last, or "" if nobody decided

    @property
    def changed(self):
        return self.was != self.would


class ShadowForm(forms.Form):
    """The settings to try: since when, which policy, which thresholds (blank: as now)."""

    since = forms.DateTimeField(label=_("Since"), widget=forms.DateInput(attrs={"type": "date"}))
    policy = forms.ChoiceField(
        label=_("Policy"),
        choices=[("", _("as now")), *[(p, p) for p in policies.POLICIES]],
        required=False,
    )
    hold_above = forms.FloatField(label=_("Hold above"), min_value=0, max_value=1, required=False)
    spam_above = forms.FloatField(label=_("Spam above"), min_value=0, max_value=1, required=False)

    def clean(self):
        data = super().clean()
        hold, spam_ = policies.thresholds(data.get("hold_above"), data.get("spam_above"))
        if hold > spam_:
            raise forms.ValidationError(_("The hold score must not be above the spam score."))
        return data


def replay(since, policy=None, hold_above=None, spam_above=None):
    """Replayed rows, oldest first, for the comments that arrived since `since` (a datetime)."""
    policy = policy or settings.MODERATION_POLICY
    comments = (
        Comment.objects.filter(created__gte=since, assessment__isnull=False)
        .select_related("assessment", "post", "parent")
        .order_by("created", "pk")
    )
    decisions = Decision.objects.filter(comment__in=comments).order_by("created", "pk")
    arrival, owner = {}, {}
    for decision in decisions.values("comment_id", "from_status", "to_status", "actor_id"):
        if not decision["from_status"]:
            arrival[decision["comment_id"]] = decision["to_status"]
        elif decision["actor_id"] is not None:
            owner[decision["comment_id"]] = decision["to_status"]
    rows = []
    for comment in comments:
        was = arrival.get(comment.pk)
        if was not in WORDS:
            continue  # no verdict on arrival to compare with (imported, say)
        rule = comment.post.moderation_policy or policy
        # Only the first-time rule reads who sent it (and that costs queries).
        sub = policies.submission(comment) if rule == "hold-first-time" else None
        would = policies.verdict(comment.assessment, rule, sub, hold_above, spam_above)
        rows.append(
            Replayed(comment, comment.assessment.score, was, would, owner.get(comment.pk, ""))
        )
    return rows


def summary(rows):
    """{(was, would): count} over the rows whose verdict would change."""
    return Counter((row.was, row.would) for row in rows if row.changed)
