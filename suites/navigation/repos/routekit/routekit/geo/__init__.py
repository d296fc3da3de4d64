"""Geographic helpers: distances, bearings, coordinates and bounding boxes."""

from routekit.geo.bbox import BoundingBox
from routekit.geo.coords import parse_coordinate, parse_dms
from routekit.geo.distance import haversine_km, initial_bearing

__all__ = ["BoundingBox", "parse_coordinate", "parse_dms", "haversine_km", "initial_bearing"]
