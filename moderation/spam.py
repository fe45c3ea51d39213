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
from pathlib import Path

from . import checks

STARTING_MODEL = Path(__file__).resolve().parent / "data" / "starting-model.json"
DOCS = " docs"  # the row holding document counts; no token contains a space
MAX_TOKEN = 40
# Naive Bayes multiplies evidence as if tokens were independent, and so is far too sure of itself;
# damping its log-odds lets the checks and the thresholds weigh in.
DAMPING = 0.35
CLAMP = 9.0
STRONGEST = 15
# A token seen in fewer comments than this is noise, not evidence.
MIN_SEEN = 4


# A letter written three times or more: "Looooove", "ROARRRR", "sooo" are the words "love", "roar"
# and "so", and a filter that learned each spelling apart would learn nothing from the next one.
ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


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
        found.add(f"host:{host}"[:MAX_TOKEN])
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


def log_odds(found, *sources):
    """Damped naive-Bayes log-odds of spam for a set of tokens, summed over count sources.

    None when the sources have seen no spam or no ham: with nothing learned the filter abstains.
    """
    counts = {}
    for source in sources:
        for t, (s, h) in source.lookup(found).items():
            cs, ch = counts.get(t, (0, 0))
            counts[t] = (cs + s, ch + h)
    # After the look-ups: the database's document counts arrive with its token rows.
    spam_docs = sum(s.spam_docs for s in sources)
    ham_docs = sum(s.ham_docs for s in sources)
    if not spam_docs or not ham_docs:
        return None
    evidence = sorted(
        (
            math.log((s + 0.5) / (spam_docs + 1)) - math.log((h + 0.5) / (ham_docs + 1))
            for s, h in counts.values()
            if s + h >= MIN_SEEN
        ),
        key=abs,
    )
    # Only the strongest tokens speak (as in Graham's "A Plan for Spam"): a long comment is no
    # more suspect for being long, and a few words in a thousand cannot pass it off as ham.
    total = math.log(spam_docs / ham_docs) + sum(evidence[-STRONGEST:])
    return max(-CLAMP, min(CLAMP, total * DAMPING))


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def score(sub, history, now, *sources):
    """(score from 0 to 1, reasons): the learned log-odds plus each check's contribution."""
    findings = checks.run(sub, history, now)
    learned = log_odds(tokens(sub), *sources)
    if learned is not None:
        findings.append(checks.Finding(learned, f"learned filter: {sigmoid(learned):.2f} spam"))
    total = sum(f.score for f in findings)
    return sigmoid(total), [f.reason for f in findings]


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
    """Everything the filter knows now: the shipped model plus what the owner taught."""
    return shipped(), LearnedCounts(load=False)
