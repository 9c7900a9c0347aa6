"""A resident hears when the village office issues a reset code for their account: a
message through the outbox (never the code) and a notice on /akun."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts import residents
from portal.extensions import db
from portal.notify.models import OutboxMessage


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def test_the_office_reset_code_is_told_to_the_resident(app, client, make_user, login_as):
    user = make_user("resident", username=None, phone="+6281234500001")
    user.locale = "en"
    db.session.commit()
    login_as("operator")
    page = client.post(f"/staf/warga/{user.id}/kode-reset?lang=en").get_data(as_text=True)
    code = page.split('id="reset-code">')[1].split("<")[0]

    [message] = outbox()
    assert message.recipient == "+6281234500001" and message.channel == "sms"
    assert message.kind == "reset_code" and message.status == "queued"
    assert "village office issued a code" in message.body
    assert code not in message.body and code.replace("-", "") not in message.body

    sign_in(client, user)
    account = client.get("/akun?lang=en").get_data(as_text=True)
    assert 'id="reset-code-notice"' in account
    assert "was issued at the village office on" in account


def test_the_message_is_in_the_residents_language_and_by_e_mail(app, make_user):
    operator = make_user("operator")
    user = make_user("resident", username=None, email="siti@example.org")
    user.locale = "id"
    db.session.commit()
    residents.issue_reset_code(user, actor=operator)
    [message] = outbox()
    assert message.recipient == "siti@example.org" and message.channel == "email"
    assert message.body != "" and "village office issued" not in message.body


def test_no_code_no_notice(client, make_user):
    user = make_user("resident", username=None, phone="+6281234500002")
    sign_in(client, user)
    account = client.get("/akun?lang=en").get_data(as_text=True)
    assert 'id="reset-code-notice"' not in account
    assert outbox() == []
