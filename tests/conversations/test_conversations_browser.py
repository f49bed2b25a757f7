"""Conversations in Chromium, with a real SMTP server on loopback.

ouder.jansen writes to juf Sanne; juf Sanne sees the unread count in the menu and answers
in place (htmx); the worker mails the parent; the parent's open page shows the answer in
place when the window gets focus again. axe checks the inbox, a conversation, the form
and the directory; without JavaScript everything works as plain forms and links.
"""

import re

from tests.support.browser import assert_no_axe_violations, expect, log_in, path_of, wait_for_htmx
from tests.support.web import PARENT, TEACHER, TWO_GROUP_PARENT, run_worker

QUESTION = "Mag ik vrijdag bij het schoolzwemmen kijken?"
ANSWER = "Ja hoor, je bent welkom om 10.15 uur bij het zwembad."
BADGE = ".site-nav a[href='/conversations'] .nav-badge"


def _real_errors(page):
    """Console errors, without Chromium's notes about answers the test expects."""
    return [e for e in page.errors if not re.search(r"status of (4\d\d|204)", e)]


def _start(page, subject="Schoolzwemmen", body=QUESTION):
    """Fill in and send the new-message form as a parent, to juf Sanne about Sem."""
    page.goto("/conversations/new")
    form = page.locator("form#conversations-start")
    form.locator("select[name=recipient]").select_option(label="juf Sanne, leerkracht van Sem")
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=body]").fill(body)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/conversations/\d+$"))


def test_parent_writes_teacher_answers_parent_is_mailed_and_sees_it_in_place(
        app, live_server, smtp_server, new_page):
    app.config["BASE_URL"] = live_server
    parent = new_page()
    log_in(parent, PARENT, then="/conversations")
    assert "Nog geen gesprekken" in parent.locator("main").inner_text()
    assert_no_axe_violations(parent)
    parent.goto("/conversations/new")
    assert_no_axe_violations(parent)
    _start(parent)
    conversation_url = path_of(parent)
    assert "Je bericht is verstuurd." in parent.locator("#flash-messages").inner_text()
    assert QUESTION in parent.locator("#conversations-messages").inner_text()
    wait_for_htmx(parent)
    assert_no_axe_violations(parent)
    parent.evaluate("() => { window.__sameDocument = true; }")

    teacher = new_page()
    log_in(teacher, TEACHER)
    expect(teacher.locator(BADGE)).to_contain_text("1")
    teacher.locator(".site-nav a[href='/conversations']").click()
    teacher.wait_for_url(re.compile(r"/conversations$"))
    assert_no_axe_violations(teacher)
    teacher.locator("a", has_text="Schoolzwemmen").click()
    teacher.wait_for_url(re.compile(re.escape(conversation_url) + "$"))
    wait_for_htmx(teacher)
    expect(teacher.locator(BADGE)).to_have_count(0)  # read now
    teacher.evaluate("() => { window.__sameDocument = true; }")
    with teacher.expect_response(lambda r: r.request.method == "POST") as posted:
        teacher.locator("#conversations-reply textarea[name=body]").fill(ANSWER)
        teacher.locator("#conversations-reply button[type=submit]").click()
    assert posted.value.request.headers.get("hx-request") == "true"
    teacher.locator("#conversations-messages > li", has_text=ANSWER).wait_for()
    expect(teacher.locator("#conversations-reply textarea[name=body]")).to_have_value("")
    assert teacher.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    assert teacher.locator("#conversations-messages > li").count() == 2
    assert_no_axe_violations(teacher)

    run_worker(app)
    [mail] = smtp_server.to(PARENT)
    assert mail["Subject"] == "Nieuw bericht van juf Sanne"
    text = mail.get_body(("plain",)).get_content()
    assert live_server + conversation_url in text and ANSWER not in text

    # The parent's page, still open, looks for news when the window gets focus again.
    parent.evaluate("() => window.dispatchEvent(new Event('focus'))")
    parent.locator("#conversations-messages > li", has_text=ANSWER).wait_for()
    assert parent.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    assert parent.locator("#conversations-messages > li", has_text=ANSWER).count() == 1
    # ...and answering again from the page does not repeat the answer it has already shown.
    parent.locator("#conversations-reply textarea[name=body]").fill("Dank je!")
    parent.locator("#conversations-reply button[type=submit]").click()
    parent.locator("#conversations-messages > li", has_text="Dank je!").wait_for()
    assert parent.locator("#conversations-messages > li").count() == 3
    assert _real_errors(parent) == [] and _real_errors(teacher) == []


def test_empty_answer_gets_a_message_and_a_file_goes_along_in_place(page, tmp_path):
    log_in(page, PARENT)
    _start(page)
    wait_for_htmx(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator("#conversations-reply button[type=submit]").click()
    page.locator("#body-error").wait_for()
    assert "Schrijf een bericht." in page.locator("#body-error").inner_text()
    assert page.locator("#conversations-messages > li").count() == 1
    assert_no_axe_violations(page)
    attachment = tmp_path / "rooster.txt"
    attachment.write_text("Vrijdag 10.15 uur zwemmen\n")
    page.locator("#conversations-reply textarea[name=body]").fill("Het rooster zit erbij.")
    page.locator("#conversations-reply input[type=file]").set_input_files(attachment)
    page.locator("#conversations-reply button[type=submit]").click()
    message = page.locator("#conversations-messages > li", has_text="Het rooster zit erbij.")
    message.locator("a", has_text="rooster.txt").wait_for()
    assert page.evaluate("() => window.__sameDocument === true"), "htmx did not swap"
    assert _real_errors(page) == []


def test_conversations_work_without_javascript(page_without_js, tmp_path):
    page = page_without_js
    log_in(page, PARENT)
    _start(page)
    attachment = tmp_path / "zwemdiploma.pdf"
    attachment.write_bytes(b"%PDF-1.7\ndiploma\n")
    page.locator("#conversations-reply textarea[name=body]").fill("Hierbij het diploma.")
    page.locator("#conversations-reply input[type=file]").set_input_files(attachment)
    page.locator("#conversations-reply button[type=submit]").click()
    page.locator("#flash-messages", has_text="Je bericht is verstuurd.").wait_for()
    message = page.locator("#conversations-messages > li", has_text="Hierbij het diploma.")
    with page.expect_download() as download:
        message.locator("a", has_text="zwemdiploma.pdf").click()
    assert download.value.suggested_filename == "zwemdiploma.pdf"
    page.evaluate("() => { window.__before = true; }")
    page.locator("#conversations-poll a").click()  # "check for new messages" reloads
    # count() does not wait: right after the click it may read the new page still loading.
    page.wait_for_function("() => window.__before === undefined")
    expect(page.locator("#conversations-messages > li")).to_have_count(2)


def test_directory_and_settings_have_no_axe_violations(new_page):
    parent = new_page()
    log_in(parent, TWO_GROUP_PARENT, then="/directory/settings")
    assert_no_axe_violations(parent)
    parent.locator("input[name=show_in_directory]").check()
    parent.locator("input[name=show_phone]").check()
    parent.locator("#conversations-directory-settings button[type=submit]").click()
    parent.locator("#phone-error").wait_for()  # a number to show is missing
    assert_no_axe_violations(parent)
    parent.locator("input[name=phone]").fill("06 12345678")
    parent.locator("#conversations-directory-settings button[type=submit]").click()
    parent.locator(".flash--success").wait_for()

    other = new_page()
    log_in(other, PARENT, then="/directory")
    assert "Nadia El Mansouri" in other.locator("main").inner_text()
    assert "06 12345678" in other.locator("main").inner_text()
    assert_no_axe_violations(other)


def test_office_hours_page_has_no_axe_violations(page):
    log_in(page, TEACHER, then="/conversations/office-hours")
    assert_no_axe_violations(page)
    page.locator("input[name=starts_0]").fill("08:00")
    page.locator("#conversations-office-hours button[type=submit]").click()
    page.locator("#ends_0-error").wait_for()
    assert_no_axe_violations(page)
