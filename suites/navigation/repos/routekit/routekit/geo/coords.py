"""Parsing and formatting of coordinates (decimal degrees and DMS)."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HEMISPHERE = re.compile(r"([NSEWnsew])\s*$")


class CoordinateError(ValueError):
    """Raised for malformed or out-of-range coordinates."""


def parse_dms(text: str) -> float:
    """Parse degrees/minutes/seconds such as ``40°26'46"N`` or ``79 58 56 W``.

    Southern and western hemispheres (or a leading minus) give negative values.
    Plain decimal degrees (``"-79.98"``) are accepted too.
    """
    cleaned = text.strip()
    if not cleaned:
        raise CoordinateError("empty coordinate")
    numbers = [float(n) for n in _NUMBER.findall(cleaned)]
    if not 1 <= len(numbers) <= 3:
        raise CoordinateError(f"cannot parse {text!r}")
    degrees = numbers[0]
    minutes = numbers[1] if len(numbers) > 1 else 0.0
    seconds = numbers[2] if len(numbers) > 2 else 0.0
    if minutes >= 60 or seconds >= 60:
        raise CoordinateError(f"minutes and seconds must be below 60: {text!r}")
    value = degrees + minutes / 60.0 + seconds / 3600.0
    hemisphere = _HEMISPHERE.search(cleaned)
    negative = cleaned.startswith("-")
    if hemisphere and hemisphere.group(1).upper() in "SW":
        negative = not negative
    return -value if negative else value


def validate_point(lat: float, lon: float) -> tuple[float, float]:
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(f"latitude out of range: {lat}")
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError(f"longitude out of range: {lon}")
    return lat, lon


def parse_coordinate(text: str) -> tuple[float, float]:
    """Parse ``"lat, lon"`` in decimal degrees or DMS into a validated pair."""
    if "," in text:
        left, right = text.split(",", 1)
    else:
        parts = re.split(r"(?<=[NSns])\s+", text.strip(), maxsplit=1)
        if len(parts) != 2:
            raise CoordinateError(f"expected 'lat, lon': {text!r}")
        left, right = parts
    return validate_point(parse_dms(left), parse_dms(right))


def normalize_longitude(lon: float) -> float:
    """Wrap a longitude into ``[-180, 180)``."""
    return (lon + 180.0) % 360.0 - 180.0


def format_dms(value: float, axis: str = "lat") -> str:
    """Format decimal degrees as ``DD°MM'SS"H`` (seconds rounded)."""
    if axis not in ("lat", "lon"):
        raise ValueError("axis must be 'lat' or 'lon'")
    hemisphere = ("N" if value >= 0 else "S") if axis == "lat" else ("E" if value >= 0 else "W")
    total_seconds = round(abs(value) * 3600)
    degrees, rest = divmod(total_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{degrees}°{minutes:02d}'{seconds:02d}\"{hemisphere}"
