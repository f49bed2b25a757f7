"""Password hashing and the rules for a new password (domain, no HTTP)."""

from schoolportal.auth import passwords


def test_hash_and_verify(db_ctx):
    hashed = passwords.hash_password("een lange zin als wachtwoord")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "een lange zin als wachtwoord")
    assert not passwords.verify_password(hashed, "een andere zin als wachtwoord")
    assert not passwords.verify_password(None, "wat dan ook")
    assert not passwords.verify_password("geen-hash", "wat dan ook")


def test_new_password_rules(db_ctx):
    assert passwords.password_problems("kort") != []
    assert passwords.password_problems("x" * 200) != []
    assert passwords.password_problems("wachtwoord123") != []  # common
    assert passwords.password_problems("aaaaaaaaaaaaaa") != []  # too few different characters
    assert passwords.password_problems("evajansen-2026!", email="evajansen@example.org") != []
    assert passwords.password_problems("paars fietsje op de dijk") == []
    assert passwords.password_problems("🔑 sleutel bij de buren ✓") == []
