import math

import pytest

from routekit.geo import BoundingBox, haversine_km, initial_bearing, parse_coordinate, parse_dms
from routekit.geo.coords import CoordinateError, format_dms, normalize_longitude
from routekit.geo.distance import compass_direction, destination, equirectangular_km, path_length_km

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)


def test_haversine_paris_london():
    assert haversine_km(PARIS, LONDON) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(PARIS, PARIS) == 0.0
    assert equirectangular_km(PARIS, LONDON) == pytest.approx(haversine_km(PARIS, LONDON), rel=0.01)


def test_bearings_north_and_east():
    assert initial_bearing((0.0, 0.0), (1.0, 0.0)) == pytest.approx(0.0)
    assert initial_bearing((0.0, 0.0), (0.0, 1.0)) == pytest.approx(90.0)
    assert initial_bearing((10.0, 10.0), (0.0, 10.0)) == pytest.approx(180.0)
    assert compass_direction(44.0) == "NE"
    assert compass_direction(350.0) == "N"
    assert compass_direction(200.0) == "S"


def test_destination_roundtrip():
    lat, lon = destination((0.0, 0.0), 90.0, 111.195)
    assert lat == pytest.approx(0.0, abs=1e-6)
    assert lon == pytest.approx(1.0, abs=1e-3)
    assert path_length_km([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)]) == pytest.approx(222.39, abs=0.1)


def test_parse_dms_degrees_minutes():
    assert parse_dms("40°30'N") == pytest.approx(40.5)
    assert parse_dms("79 45 W") == pytest.approx(-79.75)
    assert parse_dms("-33.8688") == pytest.approx(-33.8688)
    with pytest.raises(CoordinateError):
        parse_dms("40°75'N")
    with pytest.raises(CoordinateError):
        parse_dms("")


def test_parse_coordinate():
    assert parse_coordinate("48.8566, 2.3522") == PARIS
    assert parse_coordinate("40°30'N 79°45'W") == pytest.approx((40.5, -79.75))
    with pytest.raises(CoordinateError):
        parse_coordinate("95, 10")


def test_format_dms_and_normalize():
    assert format_dms(40.446111) == "40°26'46\"N"
    assert format_dms(-79.982222, axis="lon") == "79°58'56\"W"
    assert normalize_longitude(190.0) == -170.0
    assert normalize_longitude(-180.0) == -180.0


def test_bounding_box_basics():
    box = BoundingBox.from_points([PARIS, LONDON])
    assert box.contains((50.0, 1.0))
    assert not box.contains((52.0, 1.0))
    assert box.center == pytest.approx(((48.8566 + 51.5074) / 2, (2.3522 - 0.1278) / 2))
    assert box.expand((53.0, 3.0)).max_lat == 53.0
    with pytest.raises(ValueError):
        BoundingBox(1, 1, 0, 0)


def test_bounding_box_intersections():
    a = BoundingBox(0, 0, 10, 10)
    assert a.intersects(BoundingBox(5, 5, 15, 15))
    assert a.intersects(BoundingBox(10, 10, 20, 20))
    assert not a.intersects(BoundingBox(11, 11, 20, 20))
    assert a.union(BoundingBox(-5, 2, 1, 12)) == BoundingBox(-5, 0, 10, 12)
    grown = a.buffered(111.195)
    assert grown.min_lat == pytest.approx(-1.0, abs=1e-3)
