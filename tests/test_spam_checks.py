"""Each check gives a contribution and a reason a person can read, or abstains without its input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation import checks
from moderation.checks import History, Submission

NOW = timezone.now()
POST = (
    "An experimental ME/CFS treatment in Norway: B cell depletion with Rituximab. Patients "
    "improved after the first infusion, relapsed, and improved again after the second."
)


class Lists(History):
    """A history holding given blocklists and earlier comments, as the database would."""

    def __init__(self, blocked=None, texts=None, ips=None):
        self.lists, self.texts, self.ips = blocked or {}, texts or {}, ips or {}

    def blocked(self, kind):
        return self.lists.get(kind, set())

    def same_text(self, body, since):
        when = self.texts.get(body)
        return when if when and when >= since else None

    def from_ip(self, ip, since):
        return self.ips.get(ip, 0)


def reasons(sub, history=None):
    return [f.reason for f in checks.run(sub, history or History(), NOW)]


def test_links_in_the_text_and_a_website_are_counted():
    sub = Submission(body="see http://a.example/x and www.b.example and c.com", url="http://d.ex")
    assert reasons(sub) == ["3 links in the text", "website given"]
    assert reasons(Submission(body="one http://a.example")) == ["1 link in the text"]
    bare = Submission(body="She loves it. trojmiasto.pl/Vena-Bus.html and watch?v=vtaRGgvGtWQ")
    assert reasons(bare) == ["2 links in the text"]
    assert reasons(Submission(body="B cells in ME/CFS, e.g. after chemotherapy")) == []


def test_an_address_in_disguise_is_a_link_to_its_site():
    for body in ("the site: kidsmedia  . com", "cheap pills(dot)com/now", "pills [dot] com"):
        assert reasons(Submission(body=body)) == ["1 link in the text"]
    assert Submission(body="go to pills . com now").domains() == ["pills.com"]
    assert reasons(Submission(body="The dot com bubble ended. Net result: none.")) == []


def test_self_promotion_is_named():
    sub = Submission(body="Great song! Check out my channel and subscribe, I'm a rapper")
    assert reasons(sub) == ['promotes a channel or site ("check out my", "subscribe")']


def test_medicine_sold_without_a_prescription_is_named_and_a_reader_s_story_is_not():
    sale = Submission(
        body="Order Ozempic online, no prescription needed. Contact us on Telegram @rxpens"
    )
    assert reasons(sale) == [
        'offers medicine without a prescription ("Order Ozempic online, no prescription needed")',
        'asks to be contacted off the page ("Contact us on Telegram")',
    ]
    for body in (
        "My neurologist would not give it to me without a prescription from the trial.",
        "I contacted them via email and on WhatsApp; nobody answered.",
    ):
        assert reasons(Submission(body=body)) == []


def test_begging_for_subscribers_is_named_however_it_is_spelt():
    for body, asked in (
        ("pls sucscribe, new beats every friday", "sucscribe"),
        ("SUBSCRIB IF YOU AGREE", "subscrib"),
        ("anyone want to sub 4 sub?", "sub 4 sub"),
        ("follow for follow, like for like", "follow for follow"),
    ):
        assert reasons(Submission(body=body))[0].startswith(
            f'promotes a channel or site ("{asked}"'
        )
    for body in (
        "I subscribed to the feed years ago and still read every post.",
        "As a subscriber to the trial newsletter I can describe the dosing.",
    ):
        assert reasons(Submission(body=body)) == []


def test_a_comment_that_asks_to_be_liked_is_named_and_one_that_likes_something_is_not():
    assert reasons(Submission(body="Like this comment if you read it twice")) == [
        'asks for likes ("like this comment")'
    ]
    assert reasons(Submission(body="Great summary. Thumbs up if you agree!")) == [
        'asks for likes ("thumbs up if")'
    ]
    assert reasons(Submission(body="Give this a like so the doctors see it")) == [
        'asks for likes ("give this a like")'
    ]
    for body in (
        "I like this comment, Anna.",
        "I'd like if you wrote more",
        "Like you, I relapsed.",
        "Give it a try, the second infusion helped me.",
    ):
        assert reasons(Submission(body=body)) == []


def test_a_plain_comment_without_context_raises_nothing():
    assert reasons(Submission(body="Interesting, thank you.")) == []


@pytest.mark.parametrize(
    "kind, value, sub, reason",
    [
        ("word", "casino", Submission(body="Best Casino bonus"), "blocked word: casino"),
        (
            "domain",
            "spam.example",
            Submission(url="https://www.spam.example/x"),
            "domain spam.example on the blocklist",
        ),
        (
            "domain",
            "spam.example",
            Submission(body="go to http://shop.spam.example"),
            "domain shop.spam.example on the blocklist",
        ),
        ("email", "x@y.example", Submission(email="X@y.example"), "email address on the blocklist"),
        ("ip", "10.0.0.9", Submission(ip="10.0.0.9"), "IP address on the blocklist"),
        ("name", "evision", Submission(author="Evision"), "name on the blocklist"),
    ],
)
def test_blocklists_match_words_domains_addresses_and_names(kind, value, sub, reason):
    assert reason in reasons(sub, Lists(blocked={kind: {value}}))
    assert reason not in reasons(sub)


def test_the_same_text_posted_recently_is_a_duplicate():
    history = Lists(texts={"Sending this again right now": NOW - timedelta(minutes=2)})
    assert reasons(Submission(body="Sending this again right now"), history) == [
        "same text posted 2 minutes ago"
    ]
    old = Lists(texts={"Sending this again right now": NOW - timedelta(days=30)})
    assert reasons(Submission(body="Sending this again right now"), old) == []
    short = Lists(texts={"Awesome": NOW - timedelta(minutes=2)})
    assert reasons(Submission(body="Awesome"), short) == []  # short praise repeats innocently


def test_a_flood_from_one_address_is_flagged_and_no_address_abstains():
    history = Lists(ips={"10.0.0.1": 5})
    assert reasons(Submission(body="hi", ip="10.0.0.1"), history) == [
        "5 comments from this address in 10 minutes"
    ]
    assert reasons(Submission(body="hi", ip="10.0.0.2"), history) == []
    assert reasons(Submission(body="hi"), history) == []


def test_a_filled_honeypot_is_flagged_and_an_empty_or_absent_one_is_not():
    assert reasons(Submission(body="hi", honeypot="http://x")) == ["honeypot field filled"]
    assert reasons(Submission(body="hi", honeypot="")) == []
    assert reasons(Submission(body="hi", honeypot=None)) == []


def test_relevance_tells_on_subject_from_unrelated_and_abstains_without_post_text():
    on = Submission(
        body="Did the patients who relapsed after the first infusion of Rituximab improve again "
        "as much after the second? My neurologist in Bergen mentioned B cell depletion too.",
        post_body=POST,
    )
    off = Submission(
        body="Our bodies naturally make pain relievers called endorphins, and marijuana contains "
        "cannabinoids very similar to those substances, modulating how we feel pain in the "
        "so-called endocannabinoid system which plays a key role in many processes.",
        post_body=POST,
    )
    assert reasons(on) == ["text on the subject of the post"]
    assert reasons(off) == ["text unrelated to the post"]
    off.post_body = ""
    assert reasons(off) == []  # no post text: abstain rather than guess


def test_a_short_comment_counts_as_on_subject_only_when_made_mostly_of_the_post_s_words():
    assert reasons(
        Submission(body="Thanks for the Rituximab infusion figures!", post_body=POST)
    ) == ["text on the subject of the post"]
    assert reasons(Submission(body="Thanks, this is a great blog!", post_body=POST)) == []
    assert (
        reasons(Submission(body="Rituximab pills: cheap viagra, cialis, xanax", post_body=POST))
        == []
    )


def test_a_reply_that_names_the_person_it_answers_is_conversation():
    sub = Submission(
        body="Christine, take a look here: they estimate to be done in June, but I have heard "
        "from people close to the team that we will have to wait until the end of the year.",
        post_body=POST,
        answers="Christine",
    )
    assert reasons(sub) == ["answers Christine by name"]
