"""Great-circle distances and bearings on a spherical Earth.

Points are ``(latitude, longitude)`` tuples in decimal degrees.
"""

from __future__ import annotations

import math
from typing import Sequence

EARTH_RADIUS_KM = 6371.0088
Point = tuple[float, float]

_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between ``a`` and ``b`` in kilometres."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    dlat, dlon = lat2 - lat1, lon2 - lon1
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def equirectangular_km(a: Point, b: Point) -> float:
    """Fast approximation of :func:`haversine_km`, good for short distances."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    y = lat2 - lat1
    return EARTH_RADIUS_KM * math.hypot(x, y)


def initial_bearing(a: Point, b: Point) -> float:
    """Initial compass bearing from ``a`` towards ``b`` in degrees, in ``[0, 360)``."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    dlon = lon2 - lon1
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    theta = math.atan2(x, y)
    return (math.degrees(theta) + 360.0) % 360.0


def compass_direction(bearing: float) -> str:
    """Eight-point compass name for a bearing in degrees."""
    index = int(((bearing % 360.0) + 22.5) // 45.0) % 8
    return _COMPASS[index]


def destination(origin: Point, bearing: float, distance_km: float) -> Point:
    """Point reached travelling ``distance_km`` from ``origin`` on ``bearing``."""
    lat1, lon1 = map(math.radians, origin)
    brg = math.radians(bearing)
    delta = distance_km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(brg))
    lon2 = lon1 + math.atan2(
        math.sin(brg) * math.sin(delta) * math.cos(lat1),
        math.cos(delta) - math.sin(lat1) * math.sin(lat2),
    )
    lon = (math.degrees(lon2) + 540.0) % 360.0 - 180.0
    return math.degrees(lat2), lon


def path_length_km(points: Sequence[Point]) -> float:
    """Sum of great-circle distances along consecutive points."""
    return sum(haversine_km(a, b) for a, b in zip(points, points[1:]))
