"""The 地图 page's document stays light (the browser parses and runs all of it before the map is drawn)
and still carries every layer; the context layers are simplified for display only."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from school_water_map.domain.register import Register
from school_water_map.geo.crs import metric_crs
from school_water_map.geo.layers import ContextLayers, load_context
from school_water_map.outputs.map_html import POPUP_PARSER, map_document
from school_water_map.outputs.mapping import build_map
from school_water_map.pipeline.register import build_register
from school_water_map.settings import Settings
from tests.helpers import MAP_LAYERS
from tests.placing import place_every_school

#: The whole map with every school placed (the heaviest one): 0.98 MB before the context layers were
#: simplified and rounded, the stylesheet inlined and jQuery left out; about 0.77 MB after.
BUDGET_BYTES = 820_000


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Register, ContextLayers]:
    """Every school placed at a seeded point inside the district (not real positions)."""
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path_factory.mktemp("data"))})
    place_every_school(settings)
    return build_register(settings), load_context(settings.geodata_dir)


def test_the_whole_map_stays_under_its_size_budget_with_every_layer(everything):
    register, context = everything
    page = map_document(build_map(register, context), "/app/static/vendor")
    assert len(page.encode("utf-8")) < BUDGET_BYTES
    for layer in MAP_LAYERS:
        assert json.dumps(layer) in page  # in the layer control
    assert page.count('"className": "swm-school') == len(register.schools) == 40
    assert page.count('"className": "swm-zone"') == 40
    assert "swm-derived" in page and "swm-ring" in page and "swm-link" in page  # derived positions
    assert page.count("L.geoJson(") >= 1 + 11 + 1  # the outline, 11 neighbours, the Yellow River
    for name in ("利通区", "青铜峡市", "灵武市", "黄河"):
        assert name in page  # tooltips and labels
    assert page.count(".bindPopup(") >= 40 and page.count(".bindTooltip(") >= 40 and "swm-legend" in page
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page  # nothing to fetch first
    assert not re.search(r"\d\.\d{7,}\d*, ?-?\d+\.\d+\]", page.split("L.geoJson(")[1][:200000])  # rounded


def test_the_context_layers_are_simplified_for_display_only(everything):
    _, context = everything
    full = context.outline.union_all()
    drawn = context.display.outline
    metric = metric_crs(full.centroid.x, full.centroid.y)
    full_m, drawn_m = gpd.GeoSeries([full, drawn], crs="EPSG:4326").to_crs(metric)
    assert full_m.hausdorff_distance(drawn_m) < 15  # metres: not visible at the zoom the map opens at
    assert shapely.get_num_coordinates(drawn) < shapely.get_num_coordinates(full)
    coordinates = shapely.get_coordinates(drawn)
    assert (abs(coordinates * 1e6 - (coordinates * 1e6).round()) < 1e-3).all()  # six decimals
    neighbours = {name: geometry for name, geometry, _ in context.display.neighbours}
    assert set(neighbours) == set(context.neighbours["name"])
    assert sum(shapely.get_num_coordinates(g) for g in neighbours.values()) < sum(
        shapely.get_num_coordinates(g) for g in context.neighbours.geometry)
    assert len(context.display.river) == len(context.river)
    # where a position may fall and distances keep the full-resolution data
    assert shapely.get_num_coordinates(context.outline.union_all()) == shapely.get_num_coordinates(full)
    assert context.outline.union_all().equals_exact(full, tolerance=0)


def test_popups_are_parsed_without_jquery_only_when_nothing_else_needs_it(everything):
    register, context = everything
    page = map_document(build_map(register, context), "/app/static/vendor")
    assert "jquery-3.7.1" not in page and POPUP_PARSER in page
    fmap = build_map(register, context)
    from branca.element import Element

    fmap.get_root().script.add_child(Element("$.ajax({});"))  # more of jQuery than parsing popups
    kept = map_document(fmap, "/app/static/vendor")
    assert "/* inlined: /app/static/vendor/jquery/jquery-3.7.1.min.js */" in kept and POPUP_PARSER not in kept
