from __future__ import annotations

import re

import branca.colormap
import folium
import pytest
from folium import plugins

from school_water_map.errors import MissingAssetError
from school_water_map.outputs.map_assets import (
    DEFAULT_BASE,
    VENDOR_DIR,
    VENDORED,
    asset_urls,
    localize_assets,
    missing_files,
)


def _map() -> folium.Map:
    fmap = folium.Map(location=[38.0, 106.2], zoom_start=10, tiles=None)
    folium.Marker([38.0, 106.2], icon=folium.Icon(icon="info-sign")).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def test_every_asset_is_rewritten_to_a_vendored_file():
    fmap = localize_assets(_map())
    urls = asset_urls(fmap)
    assert urls and all(url.startswith(f"{DEFAULT_BASE}/") for url in urls)
    assert missing_files(urls) == []
    html = fmap.get_root().render()
    assert not re.findall(r"(?:src|href)=\"https?://", html)
    assert f'L.Icon.Default.imagePath = "{DEFAULT_BASE}/leaflet/images/"' in html


def test_every_mapped_file_is_in_the_repository_with_its_licence():
    assert all((VENDOR_DIR / path).is_file() for path in VENDORED.values())
    for package in ("leaflet", "jquery", "bootstrap", "fontawesome", "glyphicons"):
        assert any(p.name.startswith("LICENSE") for p in (VENDOR_DIR / package).iterdir()), package
    assert (VENDOR_DIR / "README.md").is_file()


def test_a_base_url_path_prefix_is_kept_and_class_lists_stay_untouched():
    class_js = list(folium.Map.default_js)
    fmap = localize_assets(_map(), "/swmap/app/static/vendor/")
    assert all(url.startswith("/swmap/app/static/vendor/") for url in asset_urls(fmap))
    assert folium.Map.default_js == class_js
    assert localize_assets(fmap, "/swmap/app/static/vendor") is fmap  # idempotent


def test_an_asset_without_a_local_copy_is_an_error_not_a_cdn_fallback():
    fmap = _map()
    plugins.Fullscreen().add_to(fmap)
    with pytest.raises(MissingAssetError, match="没有本地副本"):
        localize_assets(fmap)


def test_branca_colormaps_are_refused():
    fmap = _map()
    branca.colormap.LinearColormap(["green", "red"], vmin=0, vmax=1).add_to(fmap)
    with pytest.raises(MissingAssetError, match="d3"):
        localize_assets(fmap)


def test_missing_files_reports_what_is_not_vendored():
    assert missing_files([f"{DEFAULT_BASE}/leaflet/leaflet.js", f"{DEFAULT_BASE}/nope.js", "/other/x.js"]) == [
        f"{DEFAULT_BASE}/nope.js"]
