"""The interface speaks the owner's language, LANGUAGE_CODE: every word of it, dates included,
while the comments keep the words their writers chose."""

import ast
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POST_URL, comment_form_data, html, links_in, post_comment
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

import config
from comments.models import Comment
from moderation.models import Decision

SPANISH = Path(config.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def spanish():
    """The blog with LANGUAGE_CODE=es."""
    with override_settings(LANGUAGE_CODE="es"), translation.override("es"):
        yield


def test_in_spanish_the_post_page_speaks_spanish_and_the_comments_keep_their_words(client, seed):
    english = html(client.get(POST_URL))
    with override_settings(LANGUAGE_CODE="es"), translation.override("es"):
        call_command("render_comments", verbosity=0)
        page = html(client.get(POST_URL))

    assert page.html["lang"] == "es"
    assert (
        page.select_one(".date-header").get_text(strip=True) == "viernes, 27 de noviembre de 2009"
    )
    assert page.select_one(".post-author").get_text() == "Publicado por Blog"
    assert page.select_one("#comments-heading").get_text() == "12 comentarios"
    ten = page.select_one("#c10")
    assert ten.time.get_text() == "18 de marzo de 2010 a las 10:06"
    assert ten.select_one(".comment-actions a").get_text() == "Responder"
    assert page.select_one("#c11 .tombstone").get_text() == "Este comentario se ha retirado."
    form = page.select_one("#comment-form")
    assert form.h3.get_text() == "Publicar un comentario"
    assert form.select_one("label[for=id_author_name]").get_text() == "Nombre:"
    assert form.select_one("label[for=id_author_url]").get_text() == "Sitio web:"
    assert form.button.get_text() == "Publicar su comentario"
    assert page.select_one(".site-search button").get_text() == "Buscar"

    # What the commenters wrote, and the names they gave, are theirs in any language.
    def words(page):
        return [
            (c.select_one(".comment-author").get_text(), c.select_one(".comment-body").get_text())
            for c in page.select("article.comment:not(.comment--removed)")
        ]

    assert len(words(page)) == 12  # the published ones, not the two tombstones
    assert [(name.replace("Anonymous", "Anónimo"), body) for name, body in words(english)] == (
        words(page)
    )


def test_in_english_the_dates_read_as_on_the_seed_page(client, seed):
    page = html(client.get(POST_URL))
    assert page.html["lang"] == "en"
    assert page.select_one(".date-header").get_text(strip=True) == "Friday, November 27, 2009"
    assert page.select_one("#c10 time").get_text() == "March 18, 2010 at 10:06 AM"


def test_the_language_comes_from_the_environment_and_an_unknown_one_stops_the_site():
    said = manage(
        "shell",
        "-c",
        "from django.utils.translation import gettext as _; print(_('Page not found'))",
        LANGUAGE_CODE="es",
    )
    assert said.stdout.splitlines()[-1] == "Página no encontrada", said.stderr
    refused = manage("check", LANGUAGE_CODE="fr")
    assert refused.returncode != 0 and "translation.E004" in refused.stderr


def test_a_reader_writing_in_spanish_is_answered_in_spanish(client, seed, spanish):
    refused = html(post_comment(client, seed, author_email="", notify="on"))
    assert "Indique su correo para recibir avisos de respuestas." in refused.get_text()
    published = client.get(post_comment(client, seed, body="¡Muy interesante!")["Location"])
    assert "Su comentario se ha publicado como n.º 16." in html(published).select_one(
        "#messages"
    ).get_text(strip=True)


def test_in_spanish_the_blog_mails_in_spanish(
    client, seed, held, inbox, spanish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, notify="on")
    (request,) = inbox
    assert request["Subject"].strip() == "Confirme su dirección para recibir respuestas en Blog"
    assert "es el único correo que recibirá de nosotros" in request.get_content()


def test_in_spanish_the_preview_and_the_follow_form_speak_spanish(client, seed, spanish):
    page = html(client.get(POST_URL))
    publish, preview = page.select("#comment-form button[type=submit]")
    assert (publish.get_text(), preview.get_text()) == ("Publicar su comentario", "Vista previa")
    follow = page.find("form", id="follow")
    assert follow.h3.get_text() == "Enviarme por correo los comentarios nuevos de esta entrada"
    assert follow.select_one("label[for=follow_email]").get_text() == "Su correo electrónico:"
    assert follow.button.get_text() == "Enviarme los comentarios nuevos"
    assert page.select_one(".comment-feed").get_text() == (
        "Para un lector de feeds: el feed de comentarios de esta entrada (Atom)."
    )

    data = comment_form_data(body="¡Muy interesante!") | {"preview": "1"}
    shown = html(client.post(f"/comments/post/{seed.pk}/", data)).find(id="preview")
    assert shown.h4.get_text() == "Vista previa: así se verá su comentario (aún no se ha enviado)"
    assert shown.select_one(".comment-body").get_text(strip=True) == "¡Muy interesante!"


def test_in_spanish_a_follower_is_asked_and_mailed_in_spanish(
    client, seed, held, inbox, spanish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        followed = client.post(
            f"/comments/post/{seed.pk}/follow/", {"email": "kari@example.org"}, follow=True
        )
    assert (
        html(followed)
        .select_one("#messages")
        .get_text(strip=True)
        .startswith("Gracias. Los comentarios nuevos en esta entrada se enviarán a esa dirección")
    )
    (request,) = inbox
    assert request["Subject"].strip() == (
        "Confirme su dirección para recibir los comentarios nuevos de Blog"
    )
    assert "cuando alguien comente en «Norwegian Study Offers Clues»" in " ".join(
        request.get_content().split()
    )
    (link,) = links_in(request)
    asked = html(client.get(link))
    assert asked.h1.get_text() == "Confirme su dirección"
    assert asked.select_one("main button").get_text() == (
        "Sí, envíenme los comentarios nuevos por correo"
    )
    confirmed = html(client.post(link))
    assert "de los comentarios nuevos en las entradas que sigue" in confirmed.main.get_text()
    inbox.clear()

    post_comment(Client(), seed, author_name="Ola", body="¿Alguien lo ha probado en Suecia?")
    with django_capture_on_commit_callbacks(execute=True):
        Decision.objects.change(Comment.objects.filter(number=16), Comment.Status.PUBLISHED)
    (mail,) = inbox
    assert mail["Subject"].strip() == "Ola comentó en «Norwegian Study Offers Clues»"
    body = " ".join(mail.get_content().split())
    assert "¿Alguien lo ha probado en Suecia?" in body
    assert "Recibe esto porque pidió que le avisáramos de los comentarios nuevos en esta" in body
    assert "No más correos sobre esta entrada:" in body


def test_in_spanish_the_admin_names_the_models_and_their_fields_in_spanish(
    admin_client, seed, spanish
):
    index = html(admin_client.get("/admin/"))
    models = {a.get_text() for a in index.select("#content-main th a")}
    assert {"Entradas", "Etiquetas", "Direcciones anteriores", "Lista de bloqueo"} <= models
    posts = html(admin_client.get("/admin/blog/post/"))
    assert "Título" in [th.get_text(strip=True) for th in posts.select("#result_list thead th")]
    add = html(admin_client.get("/admin/blog/post/add/"))
    assert add.h1.get_text() == "Añadir entrada"
    labels = {label.get_text() for label in add.select("#post_form label")}
    assert {"Título:", "Texto:", "Etiquetas:", "Política de moderación:"} <= labels
    Decision.objects.change(Comment.objects.filter(number=3), Comment.Status.SPAM)
    decisions = html(admin_client.get("/admin/moderation/decision/"))
    headers = [th.get_text(strip=True) for th in decisions.select("#result_list thead th")]
    assert "Estado anterior" in headers and "Estado nuevo" in headers
    blocked = html(admin_client.get("/admin/moderation/blocked/add/"))
    assert blocked.h1.get_text() == "Añadir entrada de la lista de bloqueo"


def test_a_page_kept_in_one_language_is_not_served_in_another(client, seed, settings):
    settings.PAGE_CACHE = True
    assert client.get("/archive/")["X-Cache"] == "miss"
    assert client.get("/archive/")["X-Cache"] == "hit"
    with override_settings(LANGUAGE_CODE="es"), translation.override("es"):
        response = client.get("/archive/")
    assert response["X-Cache"] == "miss"
    assert html(response).h1.get_text() == "Archivo del blog"
    assert html(response).select_one(".archive-year li a").get_text() == "noviembre"


def _entries(po):
    """Each entry of a .po file but its header: {"msgid": …, "msgstr": … or "msgstr[0]": …,
    "flags": "#, …"}."""
    for block in po.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, current = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line):
                current = match[1]
                entry[current] = ast.literal_eval(match[2])
            else:
                entry[current] += ast.literal_eval(line)
        if entry["msgid"]:
            yield entry


def _translations(entry):
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_the_spanish_translation_is_complete_and_nothing_in_it_is_fuzzy():
    entries = list(_entries(SPANISH))
    assert len(entries) > 300
    assert [e["msgid"] for e in entries if not all(_translations(e))] == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_the_compiled_translation_is_the_one_in_the_po_file():
    # That is, compilemessages was run after the last change to the .po file.
    with open(SPANISH.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        e["msgid"]
        for e in _entries(SPANISH)
        if (
            compiled.ngettext(e["msgid"], e["msgid_plural"], 1) != e["msgstr[0]"]
            if "msgid_plural" in e
            else compiled.gettext(e["msgid"]) != e["msgstr"]
        )
    ]
    assert stale == []
