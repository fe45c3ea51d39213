"""What happens to a comment on arrival: score it, keep the reasons, and apply the owner's policy.

Policies (setting MODERATION_POLICY, or a post's own `moderation_policy` where it has one):
  hold-all         every comment waits for the owner (Blogger's "always moderate");
  hold-flagged     only comments scoring MODERATION_HOLD_ABOVE or more wait (the default);
  hold-first-time  as hold-flagged, and a sender's comments wait until one of theirs was approved
                   (WordPress's "comment author must have a previously approved comment").
Whatever the policy, a score of MODERATION_SPAM_ABOVE or more goes to the spam folder.

It runs one way: the checks and the filter score a comment (`spam.score`), the policy turns the
score into a `Comment.Status` (`verdict`), the Assessment is saved with the comment, and the
decision goes out as `signals.decided`, which learning (here) and the owner's mail listen to.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.db.models import Count, Max, Q
from django.dispatch import receiver
from django.utils import timezone

from blog.models import Post
from comments import commenter
from comments.models import Comment, Subscriber
from comments.signals import comment_was_edited, comment_was_posted, comment_will_be_posted

from . import checks, spam
from .models import Assessment, Blocked, Decision
from .signals import decided

POLICIES = [policy for policy in Post.Policy.values if policy]
THREAD_DEPTH = 3  # how many comments up a reply the relevance check reads


class DatabaseHistory(checks.History):
    """The blog's blocklists and earlier comments, as the checks ask for them."""

    def __init__(self, exclude=None):
        self._blocked = None
        self._copies = {}
        self.earlier = Comment.objects.exclude(pk=exclude) if exclude else Comment.objects.all()

    def blocked(self, kind):
        if self._blocked is None:
            self._blocked = Blocked.objects.lists()
        return self._blocked.get(kind, set())

    def copies(self, body):
        # One query answers both of the duplicate check's questions about a text.
        if body not in self._copies:
            self._copies[body] = self.earlier.with_text(body).aggregate(
                latest=Max("created"), spam=Count("pk", filter=Q(status=Comment.Status.SPAM))
            )
        return self._copies[body]

    def same_text(self, body, since):
        latest = self.copies(body)["latest"]
        return latest if latest is not None and latest >= since else None

    def from_ip(self, ip, since):
        return self.earlier.filter(ip_address=ip, created__gte=since).count()

    def judged_spam(self, body):
        return self.copies(body)["spam"] > 0


def submission(comment, honeypot=None):
    """The checks' view of a comment: its fields, its post, the comments it answers."""
    post = comment.post
    thread, parent = [], comment.parent
    while parent is not None and len(thread) < 2 * THREAD_DEPTH:
        thread += [parent.author_name, parent.body]
        parent = parent.parent
    return checks.Submission(
        author=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        body=comment.body,
        ip=comment.ip_address or "",
        post_title=post.title,
        post_body=post.body,
        thread=thread,
        answers=comment.parent.author_name if comment.parent else "",
        created=comment.created,
        honeypot=honeypot,
    )


def assess(sub, exclude=None):
    """The `spam.Judgement` of a submission against the blog's current filter and lists."""
    return spam.score(sub, DatabaseHistory(exclude), timezone.now(), *spam.sources())


def known_sender(sub):
    """Whether a comment of the same sender (email, else name) was published before."""
    if sub.email:
        return Comment.objects.published().filter(author_email__iexact=sub.email).exists()
    if sub.author:
        return Comment.objects.published().filter(author_name=sub.author).exists()
    return False  # an anonymous sender is a stranger every time


def thresholds(hold_above=None, spam_above=None):
    """(hold_above, spam_above): the ones given, the configured ones in place of None."""
    return (
        settings.MODERATION_HOLD_ABOVE if hold_above is None else hold_above,
        settings.MODERATION_SPAM_ABOVE if spam_above is None else spam_above,
    )


def verdict(judged, policy=None, sub=None, hold_above=None, spam_above=None):
    """The status a judgement (its score and whether it is conclusive) gives a new comment under
    a policy and thresholds (default: the configured ones): PUBLISHED, PENDING or SPAM. Only
    conclusive evidence reaches the spam folder; a high score without it is held for the owner."""
    policy = policy or settings.MODERATION_POLICY
    hold_above, spam_above = thresholds(hold_above, spam_above)
    # A hard signal is enough whatever else the comment says; other conclusive evidence must
    # also reach the spam score.
    if judged.hard or (judged.score >= spam_above and judged.conclusive):
        return Comment.Status.SPAM
    if policy == "hold-all" or judged.score >= hold_above:
        return Comment.Status.PENDING
    if policy == "hold-first-time" and not (sub and known_sender(sub)):
        return Comment.Status.PENDING
    return Comment.Status.PUBLISHED


@register()
def check_settings(app_configs, **kwargs):
    """A mistyped policy or threshold is refused at start-up rather than misread quietly."""
    errors = []
    if settings.MODERATION_POLICY not in POLICIES:
        errors.append(
            Error(
                f"MODERATION_POLICY is {settings.MODERATION_POLICY!r}",
                hint=f"Use one of {', '.join(POLICIES)}.",
                id="moderation.E001",
            )
        )
    if not 0 <= settings.MODERATION_HOLD_ABOVE <= settings.MODERATION_SPAM_ABOVE <= 1:
        errors.append(
            Error(
                "MODERATION_HOLD_ABOVE and MODERATION_SPAM_ABOVE must satisfy 0 ≤ hold ≤ spam ≤ 1",
                id="moderation.E002",
            )
        )
    return errors


def trusted(sub, request=None):
    """Whether the sender is someone the owner approved before: an approved comment from the
    same confirmed email address, or from the browser it was sent from (the remember-me cookie)."""
    approved = Comment.objects.published()
    email = sub.email.lower()
    if email and Subscriber.objects.filter(email=email, confirmed__isnull=False).exists():
        if approved.filter(author_email__iexact=email).exists():
            return True
    vouched = commenter.vouched_for(request) if request is not None else None
    return (
        vouched is not None
        and approved.filter(pk=vouched, author_name=sub.author, author_email__iexact=email).exists()
    )


def by_staff(request):
    user = getattr(request, "user", None)
    return bool(user and user.is_active and user.is_staff)


def assessment(judged, policy):
    """An (unsaved) Assessment keeping a judgement and the policy it was judged under."""
    return Assessment(
        score=judged.score,
        reasons=judged.reasons,
        conclusive=judged.conclusive,
        hard=judged.hard,
        policy=policy,
    )


@receiver(comment_will_be_posted)
def judge(sender, comment, request, **kwargs):
    """Give a new comment its status, and its assessment to be saved with it."""
    policy = comment.post.moderation_policy or settings.MODERATION_POLICY
    if by_staff(request):
        # The owner (or someone they made staff) needs no filter: published, marked as theirs.
        comment.by_owner = True
        user = request.user
        comment.author_name = comment.author_name or user.get_full_name() or user.get_username()
        comment.status = Comment.Status.PUBLISHED
        comment.assessment = assessment(spam.Judgement(0.0, ["written by the owner"]), policy)
        return
    honeypot = request.POST.get("honeypot", "") if request is not None else None
    sub = submission(comment, honeypot=honeypot)
    judged = assess(sub)
    status = verdict(judged, policy, sub)
    if status != Comment.Status.PUBLISHED and not judged.hard and trusted(sub, request):
        judged.reasons.append("an earlier comment of this sender was approved")
        status = Comment.Status.PUBLISHED
    comment.status = status
    comment.assessment = assessment(judged, policy)


@receiver(comment_was_posted)
def record_arrival(sender, comment, request, **kwargs):
    # The assessment judge() gave the unsaved comment takes its key now that it has one.
    comment.assessment.save(force_insert=True)
    Decision.objects.arrived(comment)


@receiver(comment_was_edited)
def judge_again(sender, comment, request, before, **kwargs):
    """Score an edited comment like a new one: a published comment that now scores as held or
    spam, or that gained a link, goes back to the queue (or the spam folder), saying it changed
    after approval."""
    sub = submission(comment)
    judged = assess(sub, exclude=comment.pk)
    policy = comment.post.moderation_policy or settings.MODERATION_POLICY
    target = verdict(judged, policy, sub)
    reasons = judged.reasons
    if comment.by_owner:
        target = comment.status
    elif comment.status == Comment.Status.PUBLISHED and target != Comment.Status.PUBLISHED:
        reasons = ["changed after approval", *reasons]
    elif comment.status == Comment.Status.PUBLISHED and added_links(before, sub):
        # One link scores too little to hold, but an approved comment is where a spammer who
        # waited would add one: the owner approved the text without it, so the owner decides.
        target = Comment.Status.PENDING
        reasons = ["changed after approval", "a link added", *reasons]
    elif not (comment.status == Comment.Status.PENDING and target == Comment.Status.SPAM):
        target = comment.status  # a held comment stays held for the owner to decide
    Assessment.objects.update_or_create(
        comment=comment,
        defaults={
            "score": judged.score,
            "reasons": reasons,
            "conclusive": judged.conclusive,
            "hard": judged.hard,
            "policy": policy,
        },
    )
    if target != comment.status:
        Decision.objects.change(Comment.objects.filter(pk=comment.pk), target, note="edited")
        comment.status = target


def added_links(before, sub):
    """The links in `sub` that the text `before` it did not have."""
    return set(sub.links()) - set(checks.Submission(body=before).links())


@receiver(decided)
def learn(sender, comments, status, actor, **kwargs):
    # Only people teach the filter: its own verdicts would only confirm themselves.
    if actor is not None:
        follow(comments, status)


def follow(comments, status):
    """Teach the filter an owner's decision: published is ham, spam is spam, anything else
    (removed, back to pending) unteaches what the comment taught before."""
    lesson = {Comment.Status.PUBLISHED: "ham", Comment.Status.SPAM: "spam"}.get(status, "")
    learned = spam.LearnedCounts()
    for comment in comments:
        assessment = Assessment.objects.filter(comment=comment).first()
        if assessment is None:
            judged = assess(submission(comment), exclude=comment.pk)
            assessment = Assessment(
                comment=comment,
                score=judged.score,
                reasons=judged.reasons,
                conclusive=judged.conclusive,
                hard=judged.hard,
            )
        if assessment.learned_as == lesson:
            continue
        if assessment.learned_as:
            learned.learn(assessment.learned_tokens, assessment.learned_as, sign=-1)
        assessment.learned_tokens = sorted(spam.tokens(submission(comment))) if lesson else []
        if lesson:
            learned.learn(assessment.learned_tokens, lesson)
        assessment.learned_as = lesson
        assessment.save()
