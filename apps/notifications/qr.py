"""The QR code a guest shows at reception."""

import io

import segno


def qr_png_render(*, payload: str) -> bytes:
    """A PNG of `payload` as a QR code, large enough (8 px modules, 4-module quiet zone) for any scanner."""
    # Level M survives a smudged phone screen or a creased printout without making the code too dense.
    code = segno.make(payload, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
