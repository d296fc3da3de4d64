"""Axis-aligned latitude/longitude bounding boxes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from routekit.geo.distance import EARTH_RADIUS_KM, Point


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def __post_init__(self) -> None:
        if self.min_lat > self.max_lat or self.min_lon > self.max_lon:
            raise ValueError("minimum corner must not exceed maximum corner")

    @classmethod
    def from_points(cls, points: Iterable[Point]) -> "BoundingBox":
        pts = list(points)
        if not pts:
            raise ValueError("need at least one point")
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        return cls(min(lats), min(lons), max(lats), max(lons))

    def contains(self, point: Point) -> bool:
        """True if ``point`` lies inside or on the border of the box."""
        lat, lon = point
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def intersects(self, other: "BoundingBox") -> bool:
        """True if the boxes overlap or touch."""
        lat_overlap = other.min_lat <= self.max_lat and other.max_lat >= self.min_lat
        lon_overlap = other.min_lon <= self.max_lon and other.max_lon >= self.min_lon
        return lat_overlap and lon_overlap

    def union(self, other: "BoundingBox") -> "BoundingBox":
        return BoundingBox(
            min(self.min_lat, other.min_lat),
            min(self.min_lon, other.min_lon),
            max(self.max_lat, other.max_lat),
            max(self.max_lon, other.max_lon),
        )

    def expand(self, point: Point) -> "BoundingBox":
        return self.union(BoundingBox(point[0], point[1], point[0], point[1]))

    @property
    def center(self) -> Point:
        return (self.min_lat + self.max_lat) / 2, (self.min_lon + self.max_lon) / 2

    def buffered(self, km: float) -> "BoundingBox":
        """Grow the box by roughly ``km`` kilometres on every side."""
        dlat = math.degrees(km / EARTH_RADIUS_KM)
        widest = max(abs(self.min_lat), abs(self.max_lat))
        dlon = dlat / max(math.cos(math.radians(widest)), 1e-9)
        return BoundingBox(
            max(-90.0, self.min_lat - dlat),
            max(-180.0, self.min_lon - dlon),
            min(90.0, self.max_lat + dlat),
            min(180.0, self.max_lon + dlon),
        )
