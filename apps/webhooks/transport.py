"""One POST to a webhook receiver: to the vetted addresses only, no redirects, bounded in time and size."""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.utils import timezone

from apps.webhooks.guard import Address, UnsafeDestination, destination_resolve, url_split


@dataclass(frozen=True, slots=True)
class PostOutcome:
    status_code: int | None  # None: no answer (refused, network error, timeout)
    duration_ms: int
    error: str = ""
    excerpt: str = ""
    retry_after: int | None = None  # seconds, from a Retry-After header
    unsafe: bool = False  # refused by the SSRF guard, nothing was sent


def _connect(address: Address, timeout: float) -> socket.socket:
    family, sockaddr = address
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address the guard vetted, never to a fresh lookup of the host name."""

    def __init__(self, host: str, port: int, *, addresses: list[Address], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def _open(self) -> socket.socket:
        error: OSError | None = None
        for address in self._addresses:
            try:
                return _connect(address, self.timeout)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, host: str, port: int, *, addresses: list[Address], timeout: float) -> None:
        super().__init__(host, port, addresses=addresses, timeout=timeout)
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        self.sock = self._tls.wrap_socket(self._open(), server_hostname=self.host)


def retry_after_seconds(value: str | None) -> int | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, int((when - timezone.now()).total_seconds()))


def webhook_post(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float, max_bytes: int
) -> PostOutcome:
    """POST `body`; a redirect is an answer like any other (its status), never followed."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        addresses = destination_resolve(url)
    except UnsafeDestination as exc:
        return PostOutcome(status_code=None, duration_ms=elapsed(), error=str(exc), unsafe=True)
    parts = url_split(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname or "", port, addresses=addresses, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = b""
        # Read what fits under the cap (and the overall time limit); the rest is never read.
        while len(excerpt) < max_bytes and time.monotonic() - started < timeout:
            chunk = response.read(min(8192, max_bytes - len(excerpt)))
            if not chunk:
                break
            excerpt += chunk
        return PostOutcome(
            status_code=response.status,
            duration_ms=elapsed(),
            excerpt=excerpt[:1000].decode("utf-8", "replace"),
            retry_after=retry_after_seconds(response.getheader("Retry-After")),
        )
    except TimeoutError:
        return PostOutcome(status_code=None, duration_ms=elapsed(), error=f"No answer within {timeout:g} s.")
    except (OSError, http.client.HTTPException) as exc:
        return PostOutcome(status_code=None, duration_ms=elapsed(), error=f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
