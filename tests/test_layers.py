from __future__ import annotations

from school_water_map.geo.layers import load_context


def test_context_layers_are_real_and_consistent(settings):
    context = load_context(settings.geodata_dir)
    outline = context.outline.union_all()
    assert context.outline.crs.to_epsg() == 4326
    assert set(context.neighbours["name"]) >= {"利通区", "青铜峡市", "灵武市", "红寺堡区"}
    assert len(context.neighbours) == 12
    # the city-centre and 金积镇 anchors fall inside the district; the river runs along its west
    assert context.anchors.within(outline).all()
    assert set(context.anchors["kind"]) == {"city_centre", "township_seat"}
    river = context.river.union_all()
    assert river.distance(outline) < 0.05 and river.length > 0.5
