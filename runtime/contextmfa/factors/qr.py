"""QR codes as standalone SVG documents (segno), for otpauth URIs and push enrollment tickets."""

from __future__ import annotations

import io

import segno

__all__ = ["qr_svg"]


def qr_svg(data: str) -> str:
    """An SVG with its XML namespace, ready to embed in a page or serve as image/svg+xml."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=2)
    return buffer.getvalue().decode("utf-8")
