"""The SSRF guard: which addresses and URLs a webhook may be sent to."""

import ipaddress

import pytest

from apps.webhooks.guard import UnsafeDestination, address_is_public, destination_resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",  # private
        "169.254.169.254",  # link-local (cloud metadata)
        "100.64.0.1",  # shared address space (CGNAT)
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "0.0.0.0",  # unspecified
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
    ],
)
def test_a_non_public_address_is_refused(address):
    assert address_is_public(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14"]
)
def test_a_public_address_is_allowed(address):
    assert address_is_public(ipaddress.ip_address(address)) is True


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.215.14/x", "Only http and https URLs are allowed."),
        ("https:///x", "The URL has no host."),
        ("https://user:pw@93.184.215.14/x", "The URL must not carry a user name or password."),
        ("https://93.184.215.14:99999/x", "Not a valid URL."),
        (
            "http://localhost:8000/x",
            "The host localhost resolves to 127.0.0.1, which is not a public address.",
        ),
        ("http://[::1]/x", "The host ::1 resolves to ::1, which is not a public address."),
        (
            "http://[::ffff:7f00:1]/x",
            "The host ::ffff:7f00:1 resolves to ::ffff:127.0.0.1, which is not a public address.",
        ),
        ("http://2130706433/x", "The host 2130706433 resolves to 127.0.0.1, which is not a public address."),
        ("https://no-such-host.invalid/x", "The host no-such-host.invalid does not resolve."),
    ],
)
def test_a_url_that_may_not_be_called_is_refused_with_the_reason(settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UnsafeDestination) as refused:
        destination_resolve(url)
    assert str(refused.value) == message


def test_a_public_ip_literal_resolves_to_itself(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    assert [sockaddr[0] for _family, sockaddr in destination_resolve("https://93.184.215.14/hooks")] == [
        "93.184.215.14"
    ]
