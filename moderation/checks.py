"""The small checks a comment passes through: each a score contribution and a reason to read.

A check looks at a `Submission` (what was written, where, by whom) and a `History` (what came
before: blocklists, earlier comments). It returns its findings, none when it lacks its input
and abstains.
Contributions are in log-odds: positive leans spam, negative leans ham; `spam.py` adds them up.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|\b[a-z0-9-]+\.(?:com|net|org|ru|info|biz)\b"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/[^\s<>\"')\]]*"  # a bare host with a path
    r"|\bwatch\?v=[\w-]+"
    # Addresses written so that filters miss them: "site . com", "site(dot)com".
    r"|\b[a-z0-9-]+(?: +\. *| *[(\[]dot[)\]] *)(?:com|net|org|ru|info|biz)\b(?:/[^\s<>\"')\]]*)?",
    re.I,
)
# How such an address reads once its disguise is taken off.
DISGUISED_DOT = re.compile(r" *(?:\.|[(\[]dot[)\]]) *", re.I)

# Words that say nothing about a subject, left out when comparing a comment with its post.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing don down during each few for
    from further had has have having he her here hers him his how i if in into is it its
    itself just let me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours also get got one like really very much
    many well yes oh ok thanks thank good great nice post""".split()
)


@dataclass
class Submission:
    """One comment as the checks see it; any field may be missing."""

    author: str = ""
    email: str = ""
    url: str = ""
    body: str = ""
    ip: str = ""
    post_title: str = ""
    post_body: str = ""
    thread: list = field(default_factory=list)  # what it answers: replied-to texts and names
    answers: str = ""  # the name of the author replied to
    created: datetime | None = None
    honeypot: str | None = None  # None: not sent through the form, so unknown

    @classmethod
    def from_dict(cls, data):
        """Build from a JSON object as `spam check` reads it; unknown keys are ignored."""
        known = {k: data.get(k) for k in ("author", "email", "url", "body", "ip")}
        known.update(post_title=data.get("post_title"), post_body=data.get("post_body"))
        values = {k: str(v) for k, v in known.items() if v is not None}
        return cls(**values, thread=[str(t) for t in data.get("thread") or []])

    def links(self):
        return [DISGUISED_DOT.sub(".", link) for link in LINK.findall(self.body)]

    def domains(self):
        """Host names the comment points to: its website, its links, its email's domain."""
        hosts = [host(u) for u in [self.url, *self.links()] if u]
        if "@" in self.email:
            hosts.append(self.email.rsplit("@", 1)[1].lower())
        return [h for h in hosts if h]


@dataclass
class Finding:
    score: float
    reason: str


def host(url):
    """The host name of a web address, without "www."; "" for none."""
    if "://" not in url:
        url = "http://" + url
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def content_words(text):
    return {w for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


def ago(when, now):
    seconds = max(0, (now - when).total_seconds())
    if seconds < 90:
        return f"{int(seconds)} seconds ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes ago"
    return f"{round(seconds / 3600)} hours ago"


class History:
    """What the checks may know besides the comment itself; empty by default (the CLI's `eval`)."""

    def blocked(self, kind):
        """Values on the blocklist of `kind` (word, domain, email, ip, name)."""
        return set()

    def same_text(self, body, since):
        """When the same text was last posted since `since`, or None."""
        return None

    def from_ip(self, ip, since):
        """How many comments came from `ip` since `since`."""
        return 0


def links(sub, history, now):
    count = len(sub.links())
    findings = []
    if count:
        noun = "link" if count == 1 else "links"
        findings.append(Finding(min(1.2 * count, 4.0), f"{count} {noun} in the text"))
    if sub.url:
        findings.append(Finding(0.4, "website given"))
    return findings


# The owner's blocklists and the honeypot are decisive: no other finding should outweigh them.
BLOCKED = 10.0


def blocklists(sub, history, now):
    findings = []
    words = history.blocked("word")
    if words and sub.body:
        text = sub.body.lower()
        hits = sorted(w for w in words if w in text)
        if hits:
            findings.append(Finding(BLOCKED, f"blocked word: {', '.join(hits[:3])}"))
    domains = history.blocked("domain")
    for host in sub.domains():
        if any(host == d or host.endswith("." + d) for d in domains):
            findings.append(Finding(BLOCKED, f"domain {host} on the blocklist"))
            break
    if sub.email and sub.email.lower() in history.blocked("email"):
        findings.append(Finding(BLOCKED, "email address on the blocklist"))
    if sub.ip and sub.ip in history.blocked("ip"):
        findings.append(Finding(BLOCKED, "IP address on the blocklist"))
    if sub.author and sub.author.strip().lower() in history.blocked("name"):
        findings.append(Finding(BLOCKED, "name on the blocklist"))
    return findings


def duplicate(sub, history, now):
    if len(sub.body.split()) < 5:
        return []  # "Awesome" and "Thank you!" are written again and again by different people
    when = history.same_text(sub.body, now - timedelta(days=7))
    if when is None:
        return []
    return [Finding(3.0, f"same text posted {ago(when, now)}")]


def flood(sub, history, now):
    if not sub.ip:
        return []
    recent = history.from_ip(sub.ip, now - timedelta(minutes=10))
    if recent < 3:
        return []
    return [Finding(min(0.8 * recent, 5.0), f"{recent} comments from this address in 10 minutes")]


def honeypot(sub, history, now):
    if not sub.honeypot:
        return []
    return [Finding(BLOCKED, "honeypot field filled")]


def stems(text):
    """Content words folded to a crude stem (accents off, first five letters): enough to match
    "Norway" with "Norwegian" and "José" with "Jose" without a language's stemmer."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return {w[:5] for w in content_words(plain)}


def relevance(sub, history, now):
    """Compare the words of the comment with those of the post and of what it answers."""
    if not sub.post_body:
        return []  # a title alone is too little to judge a subject by
    words = stems(sub.body)
    if len(words) < 2:
        return []  # "Thanks!" is neither on nor off the subject
    shared = words & stems(" ".join([sub.post_title, sub.post_body, *sub.thread]))
    if len(words) < 8:
        # A few words say less, and their absence from the post nothing; but a short thank-you
        # made mostly of the post's own words ("the summary of the Norwegian study") is about it.
        if len(shared) >= 2 and 2 * len(shared) >= len(words):
            return [Finding(-1.5, "text on the subject of the post")]
        return []
    if len(shared) >= 4 or (len(shared) >= 2 and len(shared) >= 0.2 * len(words)):
        return [Finding(-3.0, "text on the subject of the post")]
    if addresses(sub):
        return [Finding(-3.0, f"answers {sub.answers} by name")]
    if len(words) >= 20 and len(shared) < 0.15 * len(words):
        return [Finding(3.0, "text unrelated to the post")]
    return []


def addresses(sub):
    """Whether a reply opens by naming the person it answers ("Christine, take a look")."""
    first = stems(sub.answers.split()[0]) if sub.answers.split() else set()
    opening = stems(" ".join(sub.body.split()[:3]))
    return bool(first) and first <= opening


# How self-promotion asks for attention, on a video site or under a blog post alike.
PROMOTION = re.compile(
    r"\b(?:check(?:ing)? (?:out )?(?:my|our)|check out this|come check|\d+ subscribers|mi canal|"
    r"my (?:channel|video|page|site|blog|website|music|song|"
    r"profile|playlist)|subscribe|sub4sub|visit (?:my|our)|follow me|add me|like my|"
    r"click (?:here|the link)|free (?:money|gift|trial)|earn \$?\d+|make money)\b",
    re.I,
)


def promotion(sub, history, now):
    found = sorted({m.group(0).lower() for m in PROMOTION.finditer(sub.body)})
    if not found:
        return []
    quoted = ", ".join(f'"{p}"' for p in found[:3])
    return [Finding(min(1.5 * len(found), 3.0), f"promotes a channel or site ({quoted})")]


# How a comment begs for votes on itself ("like this comment if...", "thumbs up if..."): a comment
# that asks to be liked is fishing for attention, never saying something about the post.
LIKES = re.compile(
    r"(?<!\bi )(?<!\bwe )\blike (?:this|my) comment"  # "I like this comment" is a reader's opinion
    r"|\b(?:thumbs? up|upvote) (?:if|for)\b"
    r"|(?:^|[.!?]\s+)(?:like|upvote)(?: this)? if\b"  # only as a request: not "I'd like if you"
    r"|\bplease (?:like|upvote)\b"
    r"|\blike and (?:share|subscribe|comment)\b",
    re.I | re.M,
)


def likes(sub, history, now):
    found = sorted({m.group(0).strip(" .!?").lower() for m in LIKES.finditer(sub.body)})
    if not found:
        return []
    return [Finding(1.5, f'asks for likes ("{found[0]}")')]


PIPELINE = [links, promotion, likes, blocklists, duplicate, flood, honeypot, relevance]


def run(sub, history, now):
    """Every check's findings, in pipeline order."""
    return [f for check in PIPELINE for f in check(sub, history, now)]
