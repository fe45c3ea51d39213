"""New comments get a score with reasons, a policy decides, the owner's decisions teach."""

import importlib
from datetime import timedelta

import pytest
from conftest import POST_URL, admin_action, comment_number, html, post_comment
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.utils import timezone

from comments.models import Comment, text_hash
from moderation import policy, spam
from moderation.models import Assessment, Blocked, TokenCount

ON_TOPIC = (
    "Rituximab depleting B cells in ME/CFS patients is remarkable; I wonder whether the relapse "
    "after the first infusion says something about XMRV in lymphocytes."
)
LEGITIMATE = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15]


def fresh_verdict(comment):
    judged = policy.assess(policy.submission(comment), exclude=comment.pk)
    return policy.verdict(judged, "hold-flagged"), judged.reasons


def test_the_shipped_filter_flags_comment_9_and_passes_the_twelve_legitimate_ones(seed):
    verdict, reasons = fresh_verdict(comment_number(9))
    assert verdict != Comment.Status.PUBLISHED
    assert "text unrelated to the post" in reasons
    passed = {n: fresh_verdict(comment_number(n))[0] for n in LEGITIMATE}
    assert passed == {n: Comment.Status.PUBLISHED for n in LEGITIMATE}


def test_the_seed_spam_sits_in_the_spam_folder_with_its_reasons(seed):
    nine = comment_number(9)
    assert nine.status == Comment.Status.SPAM
    assert "text unrelated to the post" in nine.assessment.reasons


def test_an_on_topic_comment_is_published_with_its_score_and_reasons_kept(client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    comment = comment_number(16)
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.assessment.score < 0.5
    assert "text on the subject of the post" in comment.assessment.reasons
    assert comment.decisions.get().note == "policy: hold-flagged"


def test_a_short_thank_you_in_the_post_s_own_words_is_published_and_a_generic_one_with_a_site_held(
    client, seed
):
    post_comment(client, seed, body="Thank you for the summary of the Norwegian study.")
    assert comment_number(16).status == Comment.Status.PUBLISHED
    assert "text on the subject of the post" in comment_number(16).assessment.reasons
    post_comment(
        client,
        seed,
        body="Thanks for sharing, great article about health",
        author_url="https://health-deals.example.com",
    )
    assert comment_number(17).status == Comment.Status.PENDING
    assert (
        'praise that fits any post ("thanks for sharing")' in comment_number(17).assessment.reasons
    )


def test_a_comment_on_a_post_with_the_longest_title_is_recorded_in_words_that_fit(client, seed):
    seed.title = "B cells " * 25  # 200 characters, the most a title holds
    seed.save()
    assert post_comment(client, seed, body=ON_TOPIC).status_code == 302
    arrival = comment_number(16).decisions.get()
    assert arrival.about == str(comment_number(16))[:200]


def test_a_filled_honeypot_goes_to_the_spam_folder_and_the_sender_learns_nothing(client, seed):
    response = post_comment(client, seed, body=ON_TOPIC, honeypot="http://cheap.example")
    assert comment_number(16).status == Comment.Status.SPAM
    assert "honeypot field filled" in comment_number(16).assessment.reasons
    page = client.get(response["Location"]).content.decode()
    assert "awaiting moderation" in page


def test_a_blocked_domain_sends_a_comment_to_the_spam_folder(client, seed):
    Blocked.objects.create(kind="domain", value="pills.example")
    post_comment(client, seed, body=ON_TOPIC, author_url="https://www.pills.example/buy")
    comment = comment_number(16)
    assert comment.status == Comment.Status.SPAM
    assert "domain pills.example on the blocklist" in comment.assessment.reasons


def test_the_same_text_twice_and_a_flood_are_scored(client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    # Under other names: the same sender sending the same text again is refused outright.
    for i in range(4):
        post_comment(client, seed, body="Nice post, thanks for writing", author_name=f"N{i}")
    reasons = comment_number(19).assessment.reasons
    assert any(r.startswith("same text posted") for r in reasons)
    assert "3 comments from this address in 10 minutes" in reasons


def test_hold_all_holds_even_a_good_comment(client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body=ON_TOPIC)
    assert comment_number(16).status == Comment.Status.PENDING
    assert comment_number(16).decisions.get().note == "policy: hold-all"


def test_hold_first_time_holds_a_stranger_until_one_of_theirs_is_approved(
    client, admin_client, seed, settings
):
    settings.MODERATION_POLICY = "hold-first-time"
    post_comment(client, seed, body=ON_TOPIC, author_email="new@example.org")
    first = comment_number(16)
    assert first.status == Comment.Status.PENDING
    admin_client.post(
        "/admin/moderation/queuedcomment/", {"action": "approve", "_selected_action": [first.pk]}
    )
    post_comment(client, seed, body=ON_TOPIC + " And another.", author_email="NEW@example.org")
    assert comment_number(17).status == Comment.Status.PUBLISHED


def sure(score):
    return spam.Judgement(score, [], conclusive=True)


def test_the_thresholds_split_published_held_and_spam(settings):
    settings.MODERATION_HOLD_ABOVE, settings.MODERATION_SPAM_ABOVE = 0.5, 0.9
    assert [policy.verdict(sure(s), "hold-flagged") for s in (0.49, 0.5, 0.89, 0.9)] == [
        Comment.Status.PUBLISHED,
        Comment.Status.PENDING,
        Comment.Status.PENDING,
        Comment.Status.SPAM,
    ]
    assert policy.verdict(sure(0.1), "hold-all") == Comment.Status.PENDING
    assert policy.verdict(sure(0.95), "hold-all") == Comment.Status.SPAM


def test_a_high_score_without_conclusive_evidence_is_held_never_sent_to_the_spam_folder():
    assert policy.verdict(
        spam.Judgement(0.9999, ["starting model: 0.69 spam"]), "hold-flagged"
    ) == (Comment.Status.PENDING)


def learned():
    counts = spam.LearnedCounts()
    return counts.ham_docs, counts.spam_docs


def decide(admin_client, action, comment):
    admin_action(admin_client, "/admin/comments/comment/", action, comment)


def test_approving_teaches_ham_marking_spam_teaches_spam_and_undoing_unteaches(
    client, admin_client, seed, settings
):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="zorbleflux")
    comment = comment_number(16)
    assert learned() == (0, 0)  # the blog's own verdict teaches nothing
    decide(admin_client, "approve", comment)
    assert learned() == (1, 0)
    assert TokenCount.objects.get(token="zorbleflux").ham == 1
    decide(admin_client, "mark_spam", comment)
    assert learned() == (0, 1)
    assert (
        TokenCount.objects.get(token="zorbleflux").ham,
        TokenCount.objects.get(token="zorbleflux").spam,
    ) == (0, 1)
    decide(admin_client, "remove", comment)
    assert learned() == (0, 0)
    assert Assessment.objects.get(comment=comment).learned_as == ""


def test_what_the_owner_marks_as_spam_raises_the_score_of_the_next_like_it(
    client, admin_client, seed, settings
):
    settings.MODERATION_POLICY = "hold-all"
    text = "Grabulon tablets grabulon online grabulon prices"
    post_comment(client, seed, body=text)
    before = comment_number(16).assessment.score
    taught = 0
    for n in range(5):
        post_comment(client, seed, body=f"{text} {n}")
        taught += comment_number(17 + n).status != Comment.Status.SPAM  # else nothing changes
        decide(admin_client, "mark_spam", comment_number(17 + n))
    post_comment(client, seed, body=text + " today")
    assert comment_number(22).assessment.score > before
    assert learned() == (0, taught) and taught


@pytest.mark.parametrize("action", ["approve", "mark_spam"])
def test_a_decision_on_a_seed_comment_without_an_assessment_still_teaches(
    admin_client, seed, action
):
    decide(admin_client, action, comment_number(5) if action == "mark_spam" else comment_number(9))
    assert sum(learned()) == 1


def test_the_honeypot_field_is_in_the_form_but_hidden_from_people(client, seed):
    field = html(client.get(POST_URL)).find("input", attrs={"name": "honeypot"})
    wrapper = field.find_parent(class_="field")
    assert wrapper["aria-hidden"] == "true" and "visually-hidden" in wrapper["class"]
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off"


def test_a_mistyped_policy_or_thresholds_stop_the_site_from_starting(settings):
    settings.MODERATION_POLICY = "hold-sometimes"
    with pytest.raises(SystemCheckError, match="hold-all, hold-flagged, hold-first-time"):
        call_command("check")
    settings.MODERATION_POLICY = "hold-all"
    settings.MODERATION_HOLD_ABOVE, settings.MODERATION_SPAM_ABOVE = 0.9, 0.5
    with pytest.raises(SystemCheckError, match="0 ≤ hold ≤ spam ≤ 1"):
        call_command("check")


def test_a_text_sent_before_is_found_through_an_index_however_many_comments_there_are(
    seed, django_assert_num_queries
):
    # The duplicate checks run on every comment, one of them under the post's lock: reading
    # every recent comment to compare texts would make posting slower as the blog grows.
    week = [
        Comment(post=seed, number=100 + i, body=f"Comment {i} of a busy week.") for i in range(300)
    ]
    for comment in week:
        comment.body_hash = text_hash(comment.body)  # bulk_create sends no pre_save
    Comment.objects.bulk_create(week)
    comment = comment_number(4)
    with django_assert_num_queries(2) as lookups:
        policy.DatabaseHistory().same_text(comment.body, timezone.now() - timedelta(days=7))
        Comment.objects.earlier_copy(comment)
    with connection.cursor() as cursor:
        # The statistics PostgreSQL keeps by itself (autovacuum): texts hardly ever repeat.
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # Tables this small are cheaper to read whole; ask which index PostgreSQL would use.
            cursor.execute("SET LOCAL enable_seqscan = off")
        for lookup in lookups.captured_queries:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + lookup["sql"])
            plan = " ".join(str(column) for row in cursor.fetchall() for column in row)
            assert "comments_co_body_ha_92b8f3_idx" in plan, plan


def test_an_edited_comment_is_found_by_its_new_text(seed):
    comment = comment_number(10)
    comment.edit("A new text for comment ten.")
    assert list(Comment.objects.with_text("A new text for comment ten.")) == [comment]
    assert not Comment.objects.with_text(comment_number(10).revisions.get().body).exists()


def test_comments_stored_before_text_hashes_get_theirs_on_migrate(seed):
    migration = importlib.import_module("comments.migrations.0008_comment_body_hash")
    Comment.objects.update(body_hash="")
    migration.hash_texts(django_apps, None)
    assert Comment.objects.with_text(comment_number(9).body).get() == comment_number(9)
    assert not Comment.objects.filter(body_hash="").exists()
