import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # seed_demo sets three passwords per run; the production hasher would make up most of the test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
