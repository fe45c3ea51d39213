"""Verdicts that hold on comments the filter has never seen: the spam folder only on evidence,
the owner and the people the owner trusts published, checks for what slipped through, and
learning that moves from the first decision."""

import pytest
from conftest import admin_action, comment_number, html, post_comment
from django.test import Client
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from moderation import checks, policy, spam
from moderation.models import Blocked

QUEUE = "/admin/moderation/queuedcomment/"

TUTORIAL = (
    "Deploying Django behind nginx with gunicorn. This tutorial runs a Django project under "
    "gunicorn as a systemd service, puts nginx in front of it as a reverse proxy, serves static "
    "files with collectstatic, and sets ALLOWED_HOSTS, proxy_set_header and the socket path."
)
# Written for this test: what a reader of a technical post asks, greeting, thanks and all.
QUESTION = """Hi Anna, thanks for the tutorial! I followed every step but I'm getting this error \
when nginx forwards the request:

    connect() to unix:/run/gunicorn.sock failed (13: Permission denied) while connecting to upstream

My gunicorn.service has User=deploy and Group=www-data, and I ran
`sudo systemctl restart gunicorn` twice. Is the socket path supposed to be under /run/gunicorn?
Any idea what I am missing? I would be grateful for any pointers, I've been stuck for hours."""


@pytest.fixture
def tutorial(db):
    return Post.objects.create(
        title="Deploying Django behind nginx with gunicorn", slug="django-nginx", body=TUTORIAL
    )


def judge(body, post_title="", post_body="", **fields):
    sub = checks.Submission(body=body, post_title=post_title, post_body=post_body, **fields)
    return policy.assess(sub)


def test_a_technical_question_with_code_on_a_technical_post_is_published(client, tutorial):
    post_comment(client, tutorial, body=QUESTION, author_name="Marek", author_email="")
    comment = Comment.objects.get(post=tutorial)
    assert comment.status == Comment.Status.PUBLISHED
    assert "a question about the post, with code or an error message" in (
        comment.assessment.reasons
    )


def test_the_starting_model_and_relevance_alone_never_reach_the_spam_folder(seed):
    # Off the subject, shaped like YouTube spam, so both lean spam as far as they may.
    body = (
        "Hey everyone check out my new channel, I make music videos every week and I would "
        "love to hear what you think, please subscribe and share with your friends, it means "
        "so much to a small creator like me, thank you all so much and have a great day"
    )
    judged = judge(body, seed.title, seed.body)
    assert "text unrelated to the post" in judged.reasons
    assert judged.score >= 0.65 and not judged.conclusive
    assert policy.verdict(judged, "hold-flagged", spam_above=0.5) == Comment.Status.PENDING


def test_the_same_text_as_a_comment_judged_spam_goes_to_the_spam_folder(client, seed):
    text = "Cheap watches and more, the best prices you will find anywhere on the web today"
    post_comment(client, seed, body=text)
    comment = comment_number(16)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    judged = judge(text, seed.title, seed.body)
    assert "same text as a comment judged spam" in judged.reasons
    assert judged.conclusive
    assert policy.verdict(judged, "hold-flagged") == Comment.Status.SPAM


def test_a_blocklisted_word_is_conclusive_on_its_own(seed):
    Blocked.objects.create(kind=Blocked.Kind.WORD, value="casino")
    judged = judge("Try the casino tonight", seed.title, seed.body)
    assert judged.conclusive and judged.hard
    assert policy.verdict(judged, "hold-flagged") == Comment.Status.SPAM


def test_the_owner_s_own_reply_is_published_unscored_and_marked_as_the_owner_s(
    admin_client, admin_user, seed
):
    admin_user.first_name, admin_user.last_name = "Cort", "Johnson"
    admin_user.save()
    # Everything about it would hold a stranger's comment: three links, nothing on the subject.
    body = "See http://a.example.com http://b.example.net and http://c.example.org for more."
    post_comment(admin_client, seed, body=body, author_name="", author_email="")
    reply = comment_number(16)
    assert reply.status == Comment.Status.PUBLISHED
    assert reply.by_owner and reply.author_name == "Cort Johnson"
    assert reply.assessment.reasons == ["written by the owner"]
    page = html(admin_client.get(reply.located_url()))
    article = page.select_one("#c16")
    assert article.select_one(".owner-badge").get_text() == "Author"
    assert article.select_one("a[rel~=author]").get_text() == "Cort Johnson"


def test_a_commenter_the_owner_approved_is_published_next_time_unless_a_hard_signal_fires(
    client, admin_client, seed
):
    three_links = "Also http://a.example.com http://b.example.net http://c.example.org"
    post_comment(client, seed, body=three_links, author_name="Kari", remember="on")
    first = comment_number(16)
    assert first.status == Comment.Status.PENDING
    admin_action(admin_client, QUEUE, "approve", first)

    post_comment(client, seed, body=three_links + " and more", author_name="Kari", remember="on")
    second = comment_number(17)
    assert second.status == Comment.Status.PUBLISHED
    assert "an earlier comment of this sender was approved" in second.assessment.reasons

    # Another browser with the same name is a stranger.
    post_comment(Client(), seed, body=three_links + " again", author_name="Kari")
    assert comment_number(18).status == Comment.Status.PENDING

    # Trust does not outweigh a hard signal.
    Blocked.objects.create(kind=Blocked.Kind.DOMAIN, value="example.net")
    post_comment(client, seed, body=three_links + " once more", author_name="Kari", remember="on")
    assert comment_number(19).status == Comment.Status.SPAM


def test_one_approval_lowers_and_one_spam_decision_raises_look_alike_comments(
    client, admin_client, seed, settings
):
    settings.MODERATION_POLICY = "hold-all"  # so that the owner decides both
    ham = "The zanubrutinib dosing schedule in the Bergen cohort looked unusually gentle"
    spammy = "Order quetiapinex gluvastor tablets overnight, discreet shipping worldwide"
    look_alike_ham = "Was the zanubrutinib schedule in Bergen the same for every patient?"
    look_alike_spam = "Quetiapinex and gluvastor tablets shipped overnight to your door"
    before = {
        text: judge(text, seed.title, seed.body).score for text in (look_alike_ham, look_alike_spam)
    }

    post_comment(client, seed, body=ham, author_email="a@example.org")
    post_comment(client, seed, body=spammy, author_email="b@example.org")
    admin_action(admin_client, QUEUE, "approve", comment_number(16))
    admin_action(admin_client, QUEUE, "mark_spam", comment_number(17))

    assert judge(look_alike_ham, seed.title, seed.body).score < before[look_alike_ham]
    assert judge(look_alike_spam, seed.title, seed.body).score > before[look_alike_spam]
    assert any(
        r.startswith("learned from this blog")
        for r in judge(look_alike_spam, seed.title, seed.body).reasons
    )


# Comments written for these tests, not taken from any corpus.
SUPPORT_SPAM = (
    "Having trouble with your Routerly account? Call the Routerly customer care number "
    "+1 (555) 013-2298 for instant help, 24/7."
)
SIGNED = (
    "Thanks for sharing this informative article, it was a pleasure to read.\n"
    "Regards, Meena\nBrightPath Digital Marketing Solutions Pvt Ltd"
)
NAMED_SITE = "Great tips! You can download the full version free from SoftHavenPro, works fine."
RECOVERY = (
    "I lost 3 BTC to a fake exchange last year and thought it was gone for good. Then a friend "
    "told me about Agent Corvin, he helped me recover my stolen bitcoin in two days. Contact him "
    "via corvin.recovers@example.com or WhatsApp +44 7700 900123."
)
COURSE = (
    "Very nice explanation of the proxy headers, thanks for sharing.\n"
    "Python Django Training in Coimbatore"
)
ESSAYS = "Students who are short of time can get assignment help from our writers within 6 hours."
REFERRAL = (
    "Same error here with the socket path. I moved to managed hosting in the end, "
    "https://cloudnest-hosting.example/plans?ref=mk77 and it just works."
)
SHORTENED = "Nice walkthrough of the nginx proxy headers. More like this at bit.ly/3xQ9zz"
HOME_INCOME = (
    "I used to fight with nginx configs all day, now I earn $540 a day from home answering "
    "simple surveys."
)
HACKED = (
    "Someone took over my Instagram last month. I reached out to a hacker named Devlin on "
    "Telegram and he recovered my account in an hour."
)
PLACEMENT = (
    "Deploying Django with gunicorn and nginx is an important skill for every developer. "
    "We provide Django online training with 100% placement support for freshers."
)
SALE = "Great ideas! Get 40% off all air fryers this week at fryerworld dot shop, limited stock."


@pytest.mark.parametrize(
    "body, reason",
    [
        (REFERRAL, "a link with a referral code (https://cloudnest-hosting.example/plans?ref=mk77"),
        (SHORTENED, "a link through a URL shortener (bit.ly)"),
        (HOME_INCOME, 'offers a work-from-home scheme ("earn $540 a day")'),
        (HACKED, 'offers to recover a hacked account ("reached out to a hacker")'),
        (PLACEMENT, 'offers a course with placement ("training with 100% placement")'),
        (SALE, 'advertises a business ("40% off", "limited stock")'),
        (SALE, "1 link in the text"),  # "fryerworld dot shop" is an address in disguise
    ],
)
def test_checks_name_the_links_schemes_and_sales_a_pitch_hides_behind_the_post_s_words(
    tutorial, body, reason
):
    judged = judge(body, tutorial.title, tutorial.body)
    assert any(found.startswith(reason) for found in judged.reasons), judged.reasons
    assert policy.verdict(judged, "hold-flagged") != Comment.Status.PUBLISHED


def test_a_sales_line_in_the_post_s_words_is_not_vouched_for_as_on_the_subject(tutorial):
    # Borrowed from the post, word for word, then the pitch.
    body = (
        "This tutorial runs a Django project under gunicorn as a systemd service. "
        "Thanks for sharing! Our team does this for you, see https://deployfast.example/"
    )
    judged = judge(body, tutorial.title, tutorial.body)
    assert not any("on the subject" in reason for reason in judged.reasons), judged.reasons
    assert policy.verdict(judged, "hold-flagged") != Comment.Status.PUBLISHED


@pytest.mark.parametrize(
    "body",
    [
        "In our company we had the same outage: the socket was owned by root after a reboot.",
        "I took the raw logs from NGINX and MAST and compared them, the headers were missing.",
        "@kate_m yes, proxy_set_header Host $host fixed it for me as well.",
        "The dot com era had none of this, we ran CGI scripts behind Apache.",
    ],
)
def test_readers_who_tell_of_their_company_cite_a_source_or_mention_someone_are_not_suspect(
    tutorial, body
):
    sub = checks.Submission(body=body, post_title=tutorial.title, post_body=tutorial.body)
    against = [f.reason for f in checks.run(sub, checks.History(), timezone.now()) if f.score > 0]
    assert against == []


@pytest.mark.parametrize(
    "body, reason",
    [
        (SUPPORT_SPAM, "gives a phone number (+1 (555) 013-2298)"),
        (SUPPORT_SPAM, 'offers help by phone ("customer care")'),
        (SIGNED, 'signed with a business ("BrightPath Digital Marketing Solutions'),
        (SIGNED, 'praise that fits any post ("thanks for sharing")'),
        (NAMED_SITE, 'sends readers to a site by name ("SoftHavenPro")'),
        (NAMED_SITE, 'offers pirated software ("full version")'),
        (RECOVERY, 'offers recovers lost money ("recover my stolen bitcoin")'),
        (RECOVERY, 'asks to be contacted off the page ("Contact him via corvin.recovers@'),
        (COURSE, 'offers a course or firm in a city ("Python Django Training in Coimbatore")'),
        (ESSAYS, 'offers writes essays for pay ("assignment help")'),
    ],
)
def test_checks_name_what_slipped_through_before(tutorial, body, reason):
    judged = judge(body, tutorial.title, tutorial.body)
    assert any(found.startswith(reason) for found in judged.reasons), judged.reasons
    assert policy.verdict(judged, "hold-flagged") != Comment.Status.PUBLISHED


@pytest.mark.parametrize(
    "body",
    [
        "I called their support line and they said the socket must be owned by www-data.",
        "Version 2.4.1 fixed it for me on 2024-03-05 at 10:15:42.",
        "I restarted the gunicorn and nginx services and the proxy works now. Thanks!",
        "I got the same error and found the fix on GitHub, see the issue tracker.",
    ],
)
def test_readers_who_mention_support_numbers_or_services_are_not_taken_for_spam(tutorial, body):
    judged = judge(body, tutorial.title, tutorial.body)
    assert policy.verdict(judged, "hold-flagged") == Comment.Status.PUBLISHED, judged.reasons


@pytest.mark.parametrize(
    "body",
    [
        "We run it on Amazon Web Services in Frankfurt and the proxy headers are the same.",
        "I did the Linux Foundation Training in March and they taught the socket setup this way.",
        "If the socket keeps failing, contact them on the mailing list; they answered me fast.",
        "I recovered the lost data from the volume with the backup command in the post.",
    ],
)
def test_a_reader_naming_a_course_a_firm_or_a_contact_is_not_taken_for_a_scam(body):
    assert checks.scam(checks.Submission(body=body), checks.History(), timezone.now()) == []


def lean_of_the_starting_model(judged):
    (reason,) = [r for r in judged.reasons if r.startswith("starting model: ")]
    return float(reason.split(": ")[1].split()[0])


def test_the_blog_s_own_decisions_outweigh_the_starting_model_as_they_accumulate():
    starting = spam.Counts()
    for n in range(30):
        starting.learn(spam.tokens(checks.Submission(body=f"free bitcoin giveaway {n}")), "spam")
        starting.learn(spam.tokens(checks.Submission(body=f"lovely melody here {n}")), "ham")
    sub = checks.Submission(body="free bitcoin giveaway tonight")
    learned = spam.Counts()
    fresh = spam.score(sub, checks.History(), timezone.now(), starting, learned)
    for n in range(200):
        learned.learn(spam.tokens(checks.Submission(body=f"ordinary words {n}")), "ham")
    later = spam.score(sub, checks.History(), timezone.now(), starting, learned)
    assert lean_of_the_starting_model(fresh) > 0.65
    assert (
        abs(lean_of_the_starting_model(later) - 0.5) < (lean_of_the_starting_model(fresh) - 0.5) / 4
    )


def test_under_a_post_with_text_the_starting_model_alone_does_not_hold_a_comment():
    # A starting model that learned these words from spam elsewhere ("check out my views").
    starting = spam.Counts()
    for n in range(30):
        starting.learn(spam.tokens(checks.Submission(body=f"check my views now {n}")), "spam")
        starting.learn(spam.tokens(checks.Submission(body=f"lovely melody here {n}")), "ham")
    body = "Came back to check the views on the second infusion"
    post = {"post_title": "Norwegian Study Offers Clues", "post_body": "B cells and Rituximab."}
    on_a_post = spam.score(
        checks.Submission(body=body, **post), checks.History(), timezone.now(), starting
    )
    on_a_video = spam.score(
        checks.Submission(body=body), checks.History(), timezone.now(), starting
    )
    assert policy.verdict(on_a_post, "hold-flagged") == Comment.Status.PUBLISHED
    assert 0.5 < lean_of_the_starting_model(on_a_post) < 0.65  # it still says which way it leans
    assert policy.verdict(on_a_video, "hold-flagged") == Comment.Status.PENDING
    # With a check against it too, the model's full lean counts again.
    linked = checks.Submission(body=f"{body} http://views.test/now", **post)
    judged = spam.score(linked, checks.History(), timezone.now(), starting)
    assert policy.verdict(judged, "hold-flagged") == Comment.Status.PENDING


def test_vocabulary_learned_elsewhere_cannot_talk_away_what_a_check_found():
    # A starting model that has only ever seen these words in readers' comments.
    starting = spam.Counts()
    for n in range(40):
        body = f"gunicorn socket nginx proxy permissions systemd question {n}"
        starting.learn(spam.tokens(checks.Submission(body=body)), "ham")
        starting.learn(spam.tokens(checks.Submission(body=f"cheap pills online {n}")), "spam")
    on_topic = "gunicorn socket nginx proxy permissions systemd"
    plain = spam.score(checks.Submission(body=on_topic), checks.History(), timezone.now(), starting)
    sold = spam.score(
        checks.Submission(body=f"{on_topic}, ring 555-0134"),
        checks.History(),
        timezone.now(),
        starting,
    )
    assert lean_of_the_starting_model(plain) < 0.5  # the words alone lean towards a reader
    assert sold.score >= 0.65 and policy.verdict(sold, "hold-flagged") == Comment.Status.PENDING


def test_a_site_judged_spam_is_evidence_but_a_platform_a_spammer_used_is_not(
    client, admin_client, seed, settings
):
    settings.MODERATION_POLICY = "hold-all"  # so that the owner decides
    post_comment(
        client,
        seed,
        body="Sleep better tonight http://sleep-pills-now.test/offer and my video "
        "https://www.youtube.com/watch?v=spamvideo1",
        author_email="p@example.org",
    )
    admin_action(admin_client, QUEUE, "mark_spam", comment_number(16))

    again = judge("More at http://sleep-pills-now.test/today", seed.title, seed.body)
    assert "links to sleep-pills-now.test, a site judged spam before" in again.reasons
    assert policy.verdict(again, "hold-flagged") == Comment.Status.SPAM

    # A reader who links a talk about the study, on the site the spammer's channel was on.
    reader = judge(
        "Cort, the Bergen team's talk on rituximab is at https://www.youtube.com/watch?v=talk42",
        seed.title,
        seed.body,
    )
    assert not any("judged spam before" in r for r in reader.reasons), reader.reasons
    assert policy.verdict(reader, "hold-flagged") != Comment.Status.SPAM


def test_the_blog_s_own_lesson_and_a_link_count_are_one_witness_not_two():
    learned = spam.Counts()
    for n in range(20):
        body = f"watch http://clips{n}.test/v now"
        learned.learn(spam.tokens(checks.Submission(body=body)), "spam")
        learned.learn(spam.tokens(checks.Submission(body=f"thoughtful words {n}")), "ham")
    sub = checks.Submission(body="watch this http://clips-new.test/v")
    judged = spam.score(sub, checks.History(), timezone.now(), spam.Counts(), learned)
    assert any(r.startswith("learned from this blog: 0.9") for r in judged.reasons)
    assert judged.score >= 0.65 and not judged.conclusive
    assert policy.verdict(judged, "hold-flagged") == Comment.Status.PENDING


def test_a_referral_code_counts_on_a_site_of_its_own_but_not_on_a_platform_everyone_uses():
    def tracked(body):
        return checks.tracked(checks.Submission(body=body), checks.History(), timezone.now())

    assert (
        tracked("See https://github.com/benoitc/gunicorn/issues/1234?ref=readme for the fix") == []
    )
    assert tracked("See https://fixmysocket.example/guide?ref=readme for the fix") != []
