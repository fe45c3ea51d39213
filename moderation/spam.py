"""The learned filter (naive Bayes over a table of token counts), and the score it makes.

Counts come from two places added together: the starting model shipped in `data/starting-model.json`
(trained on a public corpus; rebuilt by `manage.py spam build`), and what this blog's owner taught,
kept in the database (`TokenCount`), so that every app server shares it and one decision costs one
small update, never a retrain. A naive Bayes is a few dictionary look-ups per comment; that keeps a
check well under a millisecond and unlearning exact (subtract what was added).
"""

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from . import checks
from .checks import Finding

STARTING_MODEL = Path(__file__).resolve().parent / "data" / "starting-model.json"
DOCS = " docs"  # the row holding document counts; no token contains a space
MAX_TOKEN = 40
# Naive Bayes multiplies evidence as if tokens were independent, and so is far too sure of itself;
# damping its log-odds lets the checks and the thresholds weigh in.
DAMPING = 0.2
STRONGEST = 15
# A token seen in fewer comments than this is noise, not evidence.
MIN_SEEN = 2


# A letter written three times or more: "Looooove", "ROARRRR", "sooo" are the words "love", "roar"
# and "so", and a filter that learned each spelling apart would learn nothing from the next one.
ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


def host_token(host):
    """The token that stands for a link to `host`."""
    return f"host:{host}"[:MAX_TOKEN]


def tokens(sub):
    """The features of a comment: its words, and a few marks of how it is written."""
    # Imported comments may carry HTML entities ("I&#39;m"); read them as the characters they are.
    text = ELONGATED.sub(r"\1", html.unescape(sub.body).lower())
    words = checks.WORD.findall(text)
    found = {w for w in words if len(w) <= MAX_TOKEN}
    found.update(
        f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if len(a + b) < MAX_TOKEN
    )
    for host in sub.domains():
        found.add(host_token(host))
    if sub.links():
        found.add("has:link")
    if sub.url:
        found.add("has:website")
    letters = [c for c in sub.body if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.5 * len(letters):
        found.add("has:shouting")
    if re.search(r"[!?]{3,}", sub.body):
        found.add("has:!!!")
    return found


def portable(found):
    """The tokens that carry over from one site to another: words of content and marks (links,
    hosts), without the function words, numbers and letters whose use is a site's style ("me",
    "on" and "for" are spam on YouTube, where spam says "subscribe to me on...")."""

    def carries(token):
        return ":" in token or any(
            len(w) > 2 and not w.isdigit() and w not in checks.STOPWORDS for w in token.split()
        )

    return {t for t in found if carries(t)}


class Counts:
    """Token counts held in memory: the shipped model, or a model being evaluated."""

    def __init__(self, table=None, spam_docs=0, ham_docs=0):
        self.table = table if table is not None else {}
        self.spam_docs = spam_docs
        self.ham_docs = ham_docs

    @classmethod
    def load(cls, path=STARTING_MODEL):
        data = json.loads(Path(path).read_text())
        return cls({t: tuple(c) for t, c in data["tokens"].items()}, *data["docs"])

    def dump(self, path, min_count=2):
        """Write as JSON, without tokens seen fewer than `min_count` times (a smaller file)."""
        kept = {t: list(c) for t, c in sorted(self.table.items()) if sum(c) >= min_count}
        body = {"docs": [self.spam_docs, self.ham_docs], "tokens": kept}
        Path(path).write_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False) + "\n")

    def learn(self, found, label, sign=1):
        spam = int(label == "spam") * sign
        ham = int(label != "spam") * sign
        self.spam_docs += spam
        self.ham_docs += ham
        for t in found:
            s, h = self.table.get(t, (0, 0))
            self.table[t] = (s + spam, h + ham)

    def lookup(self, found):
        return {t: self.table[t] for t in found if t in self.table}


def log_odds(found, counts, min_seen=MIN_SEEN, prior_weight=0, shrink=0):
    """Damped naive-Bayes log-odds of spam for a set of tokens, from one source of counts.

    None when the source has seen no comment at all: with nothing learned it abstains.
    `prior_weight` pseudo-comments of each class pull a young source's class prior towards even,
    so that the first few decisions do not tip every comment one way; `shrink` discounts a token
    seen n times by n / (n + shrink), so that one comment's chance words count, but little.
    """
    table = counts.lookup(found)
    # After the look-up: the database's document counts arrive with its token rows.
    spam_docs, ham_docs = counts.spam_docs, counts.ham_docs
    if not spam_docs + ham_docs:
        return None
    evidence = sorted(
        (
            (math.log((s + 0.5) / (spam_docs + 1)) - math.log((h + 0.5) / (ham_docs + 1)))
            * (s + h)
            / (s + h + shrink)
            for s, h in table.values()
            if s + h >= min_seen
        ),
        key=abs,
    )
    prior = math.log((spam_docs + prior_weight + 0.5) / (ham_docs + prior_weight + 0.5))
    # Only the strongest tokens speak (as in Graham's "A Plan for Spam"): a long comment is no
    # more suspect for being long, and a few words in a thousand cannot pass it off as ham.
    return (prior + sum(evidence[-STRONGEST:])) * DAMPING


# The starting model learned from other people's comments (YouTube's, mostly): it may lean a
# comment towards the queue, never decide alone. Within these bounds, and fading as the blog's
# own decisions accumulate: at HALF_LIFE decisions it weighs half.
STARTING_BOUNDS = (-2.0, 0.8)
HALF_LIFE = 50
# What this blog's owner decided speaks from the first decision (a token seen once counts), and
# may lean harder towards spam than towards ham: vocabulary alone cannot whitewash a comment
# that a check flagged.
LEARNED_BOUNDS = (-3.0, 6.0)
# The starting model's lean alone, when no check found anything against a comment on a post with
# text: 0.62, under the default hold score (0.65).
ALONE = 0.5
LEARNED_PRIOR_WEIGHT = 5
# Learned evidence this strong is enough, with one independent check agreeing, for the spam folder.
SURE = 3.0


@dataclass
class Judgement:
    """What the filter made of a comment: a score from 0 to 1, the reasons in words, and whether
    the evidence is conclusive enough for the spam folder (never on foreign data alone)."""

    score: float
    reasons: list
    conclusive: bool = False
    hard: bool = False  # a hard signal fired (see checks.Finding)


def bounded(value, bounds):
    return max(bounds[0], min(bounds[1], value))


def score(sub, history, now, starting, learned=None):
    """Judge a submission: each check's findings, the starting model's lean and what this blog
    learned, added up as log-odds."""
    found = tokens(sub)
    if learned is not None:
        learned = looked_up(learned, found)  # read by judged_sites and log_odds
    findings = checks.run(sub, history, now) + judged_sites(sub, learned)
    hard = any(f.hard for f in findings)
    # Independent of both models: a check of the comment itself leaning spam.
    agreeing = any(f.score >= 1.0 and f.independent for f in findings)
    flagged = sum(f.score for f in findings)
    total = flagged
    decided = (learned.spam_docs + learned.ham_docs) if learned is not None else 0
    lean = log_odds(portable(found), starting)
    if lean is not None:
        lean = bounded(lean, STARTING_BOUNDS) * HALF_LIFE / (HALF_LIFE + decided)
        if sub.post_body and not any(f.score > 0 for f in findings):
            # Under a post with text, where relevance can judge, nothing but the foreign model
            # against a comment is not enough to hold it.
            lean = min(lean, ALONE)
        findings.append(Finding(lean, f"starting model: {sigmoid(lean):.2f} spam"))
        # Other people's vocabulary may lean a comment towards the queue, but cannot talk away
        # what a check found in this one: a helpline number is spam in technical words too.
        total += max(lean, 0.0) if flagged > 0 else lean
    own = None
    if learned is not None:
        own = log_odds(found, learned, min_seen=1, prior_weight=LEARNED_PRIOR_WEIGHT, shrink=1)
    if own is not None:
        own = bounded(own, LEARNED_BOUNDS)
        findings.append(Finding(own, f"learned from this blog: {sigmoid(own):.2f} spam"))
        total += own
    conclusive = hard or (own is not None and own >= SURE and agreeing)
    return Judgement(sigmoid(total), [f.reason for f in findings], conclusive, hard)


def judged_sites(sub, learned):
    """A hard finding when the text links a site this blog judged spam: the owner's decisions
    taught the learned table each host a comment linked to, and a host seen only in spam was
    judged spam, one a reader ever linked to never was."""
    if learned is None:
        return []
    hosts = set(sub.domains()) - checks.SHARED_HOSTS
    table = learned.lookup({host_token(h) for h in hosts})
    counts = {h: table.get(host_token(h), (0, 0)) for h in hosts}
    known = [h for h, (spam_seen, ham_seen) in counts.items() if spam_seen and not ham_seen]
    if not known:
        return []
    return [
        Finding(checks.SEEN_SPAM, f"links to {min(known)}, a site judged spam before", hard=True)
    ]


def looked_up(counts, found):
    """The counts of one comment's tokens, looked up once in a source (one query for the
    database's), as Counts the score may read as often as it needs."""
    table = counts.lookup(found)
    # After the look-up: the database's document counts arrive with its token rows.
    return Counts(table, counts.spam_docs, counts.ham_docs)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


class LearnedCounts:
    """The owner's lessons, read from and written to the database (`TokenCount`)."""

    def __init__(self, load=True):
        from .models import TokenCount

        self.rows = TokenCount.objects
        self.spam_docs = self.ham_docs = 0
        if load:  # else the document counts come with the first look-up
            self.lookup([])

    def lookup(self, found):
        """Counts of the tokens in `found`, and the document counts, in one query."""
        rows = self.rows.filter(token__in=[*found, DOCS]).values_list("token", "spam", "ham")
        counts = {t: (s, h) for t, s, h in rows}
        self.spam_docs, self.ham_docs = counts.pop(DOCS, (0, 0))
        return counts

    def learn(self, found, label, sign=1):
        """Add (sign=1) or subtract (sign=-1) one comment's tokens: two queries, no retrain."""
        from django.db.models import F

        from .models import TokenCount

        column = "spam" if label == "spam" else "ham"
        found = sorted({*found, DOCS})
        self.rows.bulk_create([TokenCount(token=t) for t in found], ignore_conflicts=True)
        self.rows.filter(token__in=found).update(**{column: F(column) + sign})
        delta = sign if label == "spam" else 0
        self.spam_docs += delta
        self.ham_docs += sign - delta


_shipped = None


def shipped():
    """The starting model, read once per process from the file in the repository."""
    global _shipped
    if _shipped is None:
        _shipped = Counts.load()
    return _shipped


def sources():
    """Everything the filter knows now: the shipped model, and what the owner taught."""
    return shipped(), LearnedCounts(load=False)
