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
# Each kind of address may start only where a run of name characters starts (not at every "\b"
# inside "a-b-c-..." or "a.b.c...."), so that finding them stays linear in a hostile comment.
NAME_START = r"(?<![a-z0-9-])"
LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|" + NAME_START + r"[a-z0-9-]+\.(?:com|net|org|ru|info|biz|co|io|us|uk|xyz|online|site|shop|"
    r"store|top|de|ca|au|me|pk|ae|ph|ng|nl|fr|es|tv|pro|live|club|vip|link|click|website|space|"
    r"tech)\b"
    r"|" + NAME_START + r"[a-z0-9-]+(?<!manifest)(?<!makefile)(?<!configure)\.in\b"  # not a file
    r"|(?<![a-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}/[^\s<>\"')\]]*"  # a host and a path
    r"|\bwatch\?v=[\w-]+"
    # Addresses written so that filters miss them: "site . com", "site(dot)com".
    r"|" + NAME_START + r"[a-z0-9-]+(?: +\. *| *[(\[]dot[)\]] *)(?:com|net|org|ru|info|biz)\b"
    r"(?:/[^\s<>\"')\]]*)?"
    # "kitchendeals dot shop"; not "the dot com bubble", whose first word is too short a name.
    r"|"
    + NAME_START
    + r"[a-z0-9-]{4,} +dot +(?:com|net|org|shop|store|online|site|xyz|info|biz|in)\b",
    re.I,
)
# How such an address reads once its disguise is taken off.
DISGUISED_DOT = re.compile(r" *(?:\.|[(\[]dot[)\]]) *| +dot +", re.I)

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
    # A hard signal is evidence on its own (the owner's blocklist, the honeypot, a copy of known
    # spam, a flood): the only kind that may send a comment to the spam folder without the blog's
    # own learned evidence agreeing.
    hard: bool = False
    # Whether it is evidence apart from what a model reads: a model learns a comment's links and
    # hosts as tokens, so the link count cannot agree with it as a second witness.
    independent: bool = True


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

    def judged_spam(self, body):
        """Whether a comment with exactly this text was judged spam before."""
        return False


def links(sub, history, now):
    count = len(sub.links())
    findings = []
    if count:
        noun = "link" if count == 1 else "links"
        findings.append(
            Finding(min(1.2 * count, 4.0), f"{count} {noun} in the text", independent=False)
        )
    if sub.url:
        findings.append(Finding(0.4, "website given", independent=False))
    return findings


# Services that hide where a link goes, and the marks of a link that pays whoever posted it.
SHORTENERS = frozenset(
    "bit.ly tinyurl.com shorturl.at cutt.ly is.gd v.gd rb.gy tiny.cc t.ly ow.ly goo.gl buff.ly "
    "rebrand.ly s.id shorte.st adf.ly bl.ink short.io".split()
)
REFERRAL = re.compile(
    r"[?&](?:ref|refid|referral|aff|affid|aff_id|affiliate|partner|promo|promocode|coupon|tag)="
    r"|/(?:promo|deals?|coupons?|affiliate|go|recommends)(?:/|\?|$)",
    re.I,
)


def tracked(sub, history, now):
    """A link that hides where it goes, or that pays whoever posted it (a ?ref= on GitHub pays
    no one): readers share plain ones."""
    for link in [*sub.links(), sub.url]:
        if link and host(link) in SHORTENERS:
            return [Finding(1.5, f"a link through a URL shortener ({host(link)})")]
        if link and REFERRAL.search(link) and host(link) not in SHARED_HOSTS:
            return [Finding(1.5, f"a link with a referral code ({link[:60]})")]
    return []


# The owner's blocklists and the honeypot are decisive: no other finding should outweigh them.
BLOCKED = 10.0
# What the blog itself has judged spam before, seen again: enough for the spam folder alone.
SEEN_SPAM = 7.0


def blocklists(sub, history, now):
    findings = []
    words = history.blocked("word")
    if words and sub.body:
        text = sub.body.lower()
        hits = sorted(w for w in words if w in text)
        if hits:
            findings.append(Finding(BLOCKED, f"blocked word: {', '.join(hits[:3])}", hard=True))
    domains = history.blocked("domain")
    for host in sub.domains():
        if any(host == d or host.endswith("." + d) for d in domains):
            findings.append(Finding(BLOCKED, f"domain {host} on the blocklist", hard=True))
            break
    if sub.email and sub.email.lower() in history.blocked("email"):
        findings.append(Finding(BLOCKED, "email address on the blocklist", hard=True))
    if sub.ip and sub.ip in history.blocked("ip"):
        findings.append(Finding(BLOCKED, "IP address on the blocklist", hard=True))
    if sub.author and sub.author.strip().lower() in history.blocked("name"):
        findings.append(Finding(BLOCKED, "name on the blocklist", hard=True))
    return findings


def duplicate(sub, history, now):
    if len(sub.body.split()) < 5:
        return []  # "Awesome" and "Thank you!" are written again and again by different people
    if history.judged_spam(sub.body):
        return [Finding(SEEN_SPAM, "same text as a comment judged spam", hard=True)]
    when = history.same_text(sub.body, now - timedelta(days=7))
    if when is None:
        return []
    return [Finding(3.0, f"same text posted {ago(when, now)}")]


# Past this many comments from one address in ten minutes, no reader is typing them.
FLOOD = 5


def flood(sub, history, now):
    if not sub.ip:
        return []
    recent = history.from_ip(sub.ip, now - timedelta(minutes=10))
    if recent < 3:
        return []
    reason = f"{recent} comments from this address in 10 minutes"
    if recent >= FLOOD:
        return [Finding(SEEN_SPAM, reason, hard=True)]
    return [Finding(0.8 * recent, reason)]


# Hosts where anybody has a page or a mailbox: a spammer's channel or address there says nothing
# about the next reader who links a video or writes from the same mail provider.
SHARED_HOSTS = frozenset(
    "youtube.com m.youtube.com youtu.be vimeo.com facebook.com m.facebook.com fb.com "
    "twitter.com x.com instagram.com tiktok.com linkedin.com reddit.com pinterest.com "
    "soundcloud.com github.com gist.github.com gitlab.com bitbucket.org stackoverflow.com "
    "medium.com blogger.com wordpress.com tumblr.com google.com docs.google.com drive.google.com "
    "plus.google.com wikipedia.org en.wikipedia.org amazon.com "
    "gmail.com googlemail.com yahoo.com ymail.com hotmail.com outlook.com live.com msn.com "
    "aol.com icloud.com me.com mail.com gmx.com gmx.de web.de proton.me protonmail.com "
    "yandex.ru mail.ru qq.com 163.com rediffmail.com example.com example.org".split()
)


def honeypot(sub, history, now):
    if not sub.honeypot:
        return []
    return [Finding(BLOCKED, "honeypot field filled", hard=True)]


def stems(text):
    """Content words folded to a crude stem (accents off, first five letters): enough to match
    "Norway" with "Norwegian" and "José" with "Jose" without a language's stemmer."""
    return set(stem_lengths(text))


def stem_lengths(text):
    """{stem: length of the longest word it came from}, for the words of `text`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = {}
    for word in content_words(plain):
        found[word[:5]] = max(found.get(word[:5], 0), len(word))
    return found


# Code and error messages in a comment: identifiers (snake_case, camelCase, dotted.names, calls),
# shell prompts, tracebacks. A reader pasting these is asking about something technical.
IDENTIFIER = re.compile(
    r"\b[A-Za-z_]\w*(?:(?:\.|::|->)[A-Za-z_]\w*)+\b"  # os.path.join, serde::Deserialize
    r"|\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z]\w*\b"  # snake_case, camelCase
    r"|\b\w+\(\)|--[a-z][\w-]+"  # call(), --flags
)
ERROR = re.compile(
    r"\b(?:\w*(?:error|exception)|traceback|errno|stack ?trace|panicked|segfault|"
    r"permission denied|not found|no such file|undefined|failed|exit code|status \d{3})\b"
    r"|^\s*(?:\$|>>>|#|at [\w.$]+\()|[{};]\s*$",
    re.I | re.M,
)
CODE_SPAN = re.compile(r"`[^`\n]+`|^(?: {4}|\t)\S", re.M)  # `inline code`, or an indented block
# Words that carry little on their own however long; a long word is usually a rare one.
RARE_LENGTH = 7


def code_words(text):
    """The stems of the identifiers in `text` and of their parts ("serde_json" gives "serde",
    "json")."""
    parts = []
    for found in IDENTIFIER.findall(text):
        parts += re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", found)
    return stems(" ".join(parts))


SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
MENTION = re.compile(r"@\w+")  # @ethan_recovers is a handle, not snake_case code


def uncopied(text, sources):
    """`text` without the sentences (six words or more) copied word for word from `sources`: a
    spammer borrows the post's or an earlier comment's words to look on the subject."""
    seen = " ".join(" ".join(sources).lower().split())
    kept = []
    for sentence in SENTENCE.findall(text):
        plain = " ".join(sentence.lower().split()).strip(" .!?")
        if not (len(plain.split()) >= 6 and plain in seen):
            kept.append(sentence)
    return " ".join(kept)


def relevance(sub, history, now):
    """Compare the words of the comment with those of the post and its thread."""
    if not sub.post_body:
        return []  # a title alone is too little to judge a subject by
    # A link's words and a copy of the post's title or sentences say nothing of what the comment
    # is about.
    text = LINK.sub(" ", sub.body)
    if len(sub.post_title.split()) >= 3:
        text = re.sub(re.escape(sub.post_title), " ", text, flags=re.I)
    text = uncopied(text, [sub.post_body, *sub.thread])
    words = stem_lengths(text)
    if len(words) < 2:
        return []  # "Thanks!" is neither on nor off the subject
    post = stem_lengths(" ".join([sub.post_title, sub.post_body]))
    context = post | stem_lengths(" ".join(sub.thread))
    shared = words.keys() & context.keys()
    # The post's rare words say more than its common ones: "serde" or "rituximab" shared is
    # worth two of "problem" or "people".
    weight = sum(2 if context[w] >= RARE_LENGTH else 1 for w in shared)
    code = MENTION.sub(" ", text)
    if ERROR.search(code) or IDENTIFIER.search(code) or CODE_SPAN.search(code):
        if code_words(code) & context.keys() or weight >= 2:
            return [Finding(-3.0, "a question about the post, with code or an error message")]
    if len(words) < 8:
        # A few words say less, and their absence from the post nothing; but a short thank-you
        # made mostly of the post's own words ("the summary of the Norwegian study") is about it.
        if len(shared) >= 2 and 2 * len(shared) >= len(words):
            return [Finding(-1.5, "text on the subject of the post")]
        return []
    if weight >= 5 or (len(shared) >= 2 and len(shared) >= 0.2 * len(words)):
        return [Finding(-3.0, "text on the subject of the post")]
    if addresses(sub):
        return [Finding(-3.0, f"answers {sub.answers} by name")]
    if len(words) >= 20 and len(shared) < 0.15 * len(words):
        # Measured against a short excerpt, few shared words prove little.
        return [Finding(3.0 if len(post) >= 60 else 1.5, "text unrelated to the post")]
    return []


def addresses(sub):
    """Whether a reply opens by naming the person it answers ("Christine, take a look")."""
    first = stems(sub.answers.split()[0]) if sub.answers.split() else set()
    opening = stems(" ".join(sub.body.split()[:3]))
    return bool(first) and first <= opening


# How self-promotion asks for attention, on a video site or under a blog post alike.
PROMOTION = re.compile(
    r"\b(?:check(?:ing)? (?:out )?(?:my|our)|check out this|come check|\d+ subscribers|mi canal|"
    r"check us(?: out)?|visit us|(?:see|listen to|watch) my|"
    r"my (?:new )?(?:channel|video|page|site|blog|website|music|song|"
    r"track|mixtape|profile|playlist)|visit (?:my|our)|follow me|add me|like my|"
    # "subscribe" as it is misspelt in a hurry ("subscrib", "sucscribe", "suscribe"), and the
    # swaps: "sub me", "sub4sub", "follow 4 follow", "like for like", "f4f".
    r"su[bcs]{1,3}c?ri?be?|sub (?:to )?me|(?:sub|follow|like) ?(?:4|for) ?(?:sub|follow|like)|"
    r"f4f|l4l|"
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
    r"|\blike and (?:share|subscribe|comment)\b"
    r"|\bgive (?:it|this|me|us) a (?:like|thumbs? up)\b",
    re.I | re.M,
)


def likes(sub, history, now):
    found = sorted({m.group(0).strip(" .!?").lower() for m in LIKES.finditer(sub.body)})
    if not found:
        return []
    return [Finding(1.5, f'asks for likes ("{found[0]}")')]


# A telephone number as helplines write it: 555-123-4567, (555) 123 4567, +1 555.123.4567,
# 1-800-555-0199. Dates, versions and timestamps have other shapes.
PHONE = re.compile(
    r"(?<![\w.-])(?:\+\d{1,3}[\s.-]?)?(?:1[\s.-])?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w.-])"
    r"|\+\d{2,3}[\s-]?\d{4,5}[\s-]?\d{5,6}(?!\w)"
    r"|(?<![\w.-])\d{3}-\d{4}(?![\w.-])"  # 555-0177
)
SUPPORT = re.compile(
    r"\b(?:customer (?:care|service|support)|(?:support|helpline|contact|phone|toll[- ]free|"
    r"hotline) (?:phone )?(?:number|no)|help ?line|hotline|toll[- ]free|tech(?:nical)? support|"
    r"call (?:us|now|our)|24 ?[/x*] ?7|round the clock)\b",
    re.I,
)


def support(sub, history, now):
    """Contact-for-support spam: a helpline's words, a phone number, or both."""
    findings = []
    phone = PHONE.search(sub.body)
    if phone:
        findings.append(Finding(2.0, f"gives a phone number ({phone.group(0).strip()})"))
    words = SUPPORT.search(sub.body)
    if words:
        findings.append(
            Finding(1.5 if phone else 0.8, f'offers help by phone ("{words.group(0).lower()}")')
        )
    return findings


# What a business calls itself: capitalised words ending in a company's kind ("XYZ Digital
# Solutions Pvt Ltd", "Priya, SEO Expert"). Case matters: "all services" is not a company.
BUSINESS = re.compile(
    r"\b(?:[A-Z][\w&'-]*,?\s+){1,4}(?:Pvt\.?|Private Limited|Ltd\.?|LLC|Inc\.?|GmbH|Solutions|"
    r"Technologies|Technolabs|Infotech|Infosystems|Softech|Services|Agency|Consultancy|"
    r"Consultants|Academy|Institute|Marketing|Realty|Clinic|Travels|Tours|Enterprises|Studios?|"
    r"Media|Movers|Expert|Experts|Company)\b"
)
SIGN_OFF = re.compile(
    r"^\s*(?:(?:regards|thanks|thank you|cheers|best|sincerely|from|by)\b|[-—–~])", re.I
)


def signature(sub, history, now):
    """A comment signed with a business: something said, then a company or site line."""
    lines = [line.strip() for line in sub.body.strip().splitlines() if line.strip()]
    if len(lines) == 1:
        lines = re.split(r"(?<=[.!?])\s+", lines[0])
    if len(lines) < 2:
        return []
    last = lines[-1]
    business = BUSINESS.search(last)
    if business and (len(last.split()) <= 12 or SIGN_OFF.search(last)):
        return [Finding(2.0, f'signed with a business ("{business.group(0).strip()}")')]
    return []


PIRACY = re.compile(
    r"\b(?:crack(?:ed)?|keygen|serial (?:key|number)|licen[cs]e key|activation (?:key|code)|"
    r"product key|torrents?|mod apk|apk|full version|nulled|warez|free download|"
    r"download (?:it )?(?:free|for free))\b",
    re.I,
)
# A site named so that a reader goes to it: "download it from SoftHaven", "visit QuickLoans".
NAMED_SITE = re.compile(
    r"\b(?:visit|(?:download|get|grab)\w*\b[^.!?\n]{0,40}?\b(?:from|at|on)|available (?:at|on)|"
    r"go to|head over to|search for)\s+([A-Z][\w]*[A-Z0-9][\w]*|[A-Z][a-z]+(?: ?[A-Z][a-z]+)+)"
)
# Places readers name when they help each other, not sites being promoted.
KNOWN_PLACES = frozenset(
    "github gitlab stack overflow stackoverflow pypi npm docker hub dockerhub youtube google "
    "pubmed wikipedia mdn crates".split()
)


def named_site(sub, history, now):
    findings = []
    piracy = sorted({m.group(0).lower() for m in PIRACY.finditer(sub.body)})
    if piracy:
        findings.append(Finding(2.0, f'offers pirated software ("{piracy[0]}")'))
    context = stems(" ".join([sub.post_title, sub.post_body, *sub.thread]))
    for match in NAMED_SITE.finditer(sub.body):
        name = match.group(1)
        if name.isupper():
            continue  # MAST, NCBI, NASA: an institution a reader cites, not a site for sale
        if name.lower() not in KNOWN_PLACES and not stems(name) <= context:
            findings.append(Finding(1.5, f'sends readers to a site by name ("{name}")'))
            break
    return findings


# Praise that could stand under any post: what comment spam says before its link or signature.
PRAISE = re.compile(
    r"\b(?:thanks? (?:you )?for (?:sharing|posting|this (?:post|article|info))|"
    r"(?:great|nice|informative|useful|wonderful|awesome|excellent|amazing|good) "
    r"(?:post|article|blog|information|info|content|write-?up|share|piece)|"
    r"keep (?:it up|sharing|posting|up the good work)|very (?:informative|helpful|useful)|"
    r"(?:this|it) (?:was|is) (?:so |really |very )?(?:helpful|useful|informative)|"
    r"i (?:really )?(?:enjoyed|loved?) (?:reading )?(?:this|your) (?:post|article|blog))\b",
    re.I,
)


def praise(sub, history, now):
    """Generic praise beside a website, a link or a business: the shape of an SEO comment."""
    found = PRAISE.search(sub.body)
    own_site = any(host(u) not in SHARED_HOSTS for u in [sub.url, *sub.links()] if u)
    if not found or not (own_site or BUSINESS.search(sub.body)):
        return []
    return [Finding(1.0, f'praise that fits any post ("{found.group(0).lower()}")')]


def parrot(sub, history, now):
    """A comment that repeats the post's title word for word: SEO spam's way to look on topic."""
    title = " ".join(sub.post_title.split())
    if len(title.split()) < 3 or title.lower() not in " ".join(sub.body.split()).lower():
        return []
    return [Finding(2.0, "repeats the post's title word for word")]


# How a business pitches itself in a comment: "we are also providing", "our online course",
# "order now", "money-back guarantee".
PITCH = re.compile(
    r"\bwe (?:are|also|have been) (?:\w+ ){0,3}?"
    r"(?:providing|offering|selling|the leading|the best)\b"
    r"|\bwe (?:provide|offer|sell|deliver)\b"
    r"|\bour (?:\w+ ){0,2}?(?:services|products|courses?|store|shop|agency|clinic|"
    r"experts|team of)\b|\bon our (?:site|website|store|shop)\b"
    r"|\border (?:now|today|online)\b|\bmoney[- ]back\b|\bfree (?:home )?delivery\b"
    r"|\bbad credit\b|\binstant (?:cash|loans?|approval)\b|\bno plagiarism\b"
    r"|\bguaranteed? (?:results|returns|profits?)\b|\bbest (?:price|prices|deals?)\b"
    r"|\b(?:discount|promo|coupon) code\b|\bapply (?:now|online|at)\b"
    r"|\b\d{1,2} ?% (?:off|discount)\b|\blimited (?:stock|offer|time offer|seats)\b"
    r"|\b(?:book|get|schedule) (?:a |your )?free (?:consultation|demo|quote|trial|session)\b"
    r"|\bfree (?:consultation|quote)\b|\bbuy (?:the )?(?:best|cheap|cheapest|genuine)\b"
    r"|\bdonate\b[^.!?]{0,30}\b(?:bitcoins?|btc|paypal)\b",
    re.I,
)


def pitch(sub, history, now):
    found = sorted({m.group(0).lower() for m in PITCH.finditer(sub.body)})
    if not found:
        return []
    quoted = ", ".join(f'"{p}"' for p in found[:2])
    return [Finding(min(1.5 * len(found), 3.0), f"advertises a business ({quoted})")]


MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# The trades that live on comment spam, named by what they sell; none of these phrases is how a
# reader asks or answers a question about a post.
SCAMS = {
    "recovers lost money": re.compile(
        r"\b(?:recover(?:y|ed|ing)?|retrieve[ds]?|get back) (?:\w+ ){0,3}?(?:lost |stolen )?"
        r"(?:funds|crypto|bitcoins?|btc|money|investments?)\b|\bhackers? for hire\b"
        r"|\bhire (?:a |an )?(?:legit |genuine )?hacker\b|\b(?:legit|genuine|ethical) hackers?\b",
        re.I,
    ),
    "a spell caster": re.compile(
        r"\b(?:spell ?casters?|love spells?|powerful spells?|(?:get|bring|brought|got) "
        r"(?:my|your|his|her) (?:ex|lover|husband|wife) back)\b",
        re.I,
    ),
    "writes essays for pay": re.compile(
        r"\b(?:essay|assignment|homework|dissertation|thesis|coursework) (?:writ(?:ing|ers?)|"
        r"help|services?|experts?)\b|\bwrite my (?:essay|paper|assignment)\b",
        re.I,
    ),
    "gambling": re.compile(
        r"\b(?:online casinos?|casino bonus|free spins|sports? betting|betting (?:tips|site)|"
        r"slot (?:games|machines) online|online (?:slots|poker|betting))\b",
        re.I,
    ),
    "a loan offer": re.compile(
        r"\b(?:loan (?:offer|lender|company)|(?:personal|business|payday) loans?|"
        r"loan at (?:a |an )?(?:low )?(?:interest )?rate)\b",
        re.I,
    ),
    "a work-from-home scheme": re.compile(
        r"\b(?:earn|earning|make|making|made) (?:up to |over |around )?[$€£₹] ?\d[\d,.]*k? "
        r"(?:a|per|every|each) (?:day|week|month|hour)\b"
        r"|\b(?:work|job)s? from home\b[^.!?\n]{0,60}?(?:earn|[$€£₹] ?\d)",
        re.I,
    ),
    "to recover a hacked account": re.compile(
        r"\b(?:contact|hire|reach|message)\w* (?:\w+ ){0,3}?hackers?\b"
        r"|\bhackers? \w+ (?:recovered|restored|got back)\b"
        r"|\brecover(?:ed|s|ing)? (?:my|your|his|her|their) (?:hacked |stolen |lost )?"
        r"(?:account|instagram|facebook|wallet|whatsapp|snapchat)\b[^.!?\n]{0,80}?\bhackers?\b",
        re.I,
    ),
    "a course with placement": re.compile(
        r"\b(?:training|courses?|classes|coaching|certification) (?:\w+ ){0,3}?with (?:100 ?% )?"
        r"(?:job )?placements?\b|\bplacement (?:assistance|support|guarantee)\b"
        r"|\b(?:best|top|leading) (?:[\w+#.-]+ ){0,3}?(?:training|courses?|classes|coaching|"
        r"institutes?) (?:in|at|near) (?!" + MONTHS + r")[A-Z][a-z]{2,}",
        re.I,
    ),
    "replica goods": re.compile(r"\breplica (?:watches|bags|handbags|shoes)\b", re.I),
    # Only as a sale: a reader may well say they could not get a drug without a prescription.
    "medicine without a prescription": re.compile(
        r"\b(?:buy|order|purchase)\b[^.!?\n]{0,60}?\b(?:without (?:a )?prescription|"
        r"no prescription(?: needed| required)?|no rx)\b",
        re.I,
    ),
    # "Selenium Training in Chennai", "Best SEO Company in Dubai": a course or firm and its city,
    # the line that Indian SEO spam adds under a technical post.
    "a course or firm in a city": re.compile(
        r"\b(?:[A-Z][\w+#.-]*\s+){1,4}(?:Training|Courses?|Classes|Coaching|Institutes?|"
        r"Company|Companies|Agency)\s+(?:in|at|near)\s+(?!" + MONTHS + r")[A-Z][a-z]{2,}"
    ),
}
# How a scam asks to be reached away from the page: a messenger and a number, or "contact him"
# and an address or a number.
REACH = r"(?:[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d\s().-]{6,}\d)"
CONTACT = re.compile(
    r"\b(?:whats ?app|telegram|viber|wechat|signal)\b\W{0,5}(?:\w+\W{1,3}){0,3}?" + REACH + r"|"
    r"\bcontact (?:us |me |him |her )?(?:via|on|through) (?:whats ?app|telegram|viber|wechat)\b|"
    r"\b(?:whats ?app|telegram)\W{0,3}@\w{3,}|"
    r"\b(?:contact|reach (?:out to )?|write to|email|text) (?:him|her|them|us|me)\b"
    r"[^.!?\n]{0,40}?" + REACH,
    re.I,
)


def scam(sub, history, now):
    """What comment spam sells (money recovery, spells, essays, loans, courses in a city) and how
    it asks to be reached (a messenger number, 'contact him via')."""
    findings = [
        Finding(2.0, f'offers {trade} ("{found.group(0).strip()}")')
        for trade, pattern in SCAMS.items()
        if (found := pattern.search(sub.body))
    ]
    contact = CONTACT.search(sub.body)
    if contact:
        findings.append(Finding(1.5, f'asks to be contacted off the page ("{contact.group(0)}")'))
    return findings


PIPELINE = [
    links,
    tracked,
    promotion,
    likes,
    support,
    signature,
    named_site,
    praise,
    parrot,
    pitch,
    scam,
    blocklists,
    duplicate,
    flood,
    honeypot,
    relevance,
]


# The checks that find something being sold. A sales pitch that borrows the post's words ("nice
# explanation of the proxy headers; Django Training in Pune") is still a pitch: when one of these
# fires, relevance may count against a comment but not for it.
SELLING = {tracked, support, signature, named_site, praise, pitch, scam}


def run(sub, history, now):
    """Every check's findings, in pipeline order."""
    findings, selling = [], False
    for check in PIPELINE:
        found = check(sub, history, now)
        selling = selling or bool(found and check in SELLING)
        if check is relevance and selling:
            found = [f for f in found if f.score > 0]
        findings.extend(found)
    return findings
