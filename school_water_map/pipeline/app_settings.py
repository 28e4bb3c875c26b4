"""The settings in force: the deploy-time ``Settings`` (environment) with the 设置 page's stored values
over them, except where an environment variable is set; and the notice contacts, stored over
``notices.toml`` field by field; and the offline tile source checked on disk before it is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from school_water_map.domain.app_settings import CONTACT_PARTS, DISTRICT, contact_key, overlay, validate
from school_water_map.geo.tile_source import TileSource
from school_water_map.io.tile_files import open_tile_source
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig, load_notice_config
from school_water_map.settings import Settings
from school_water_map.store.app_settings import current
from school_water_map.store.database import open_store
from school_water_map.store.owners import current as current_owners

TILE_KEYS = ("offline_tiles", "offline_tiles_crs", "offline_tiles_kind")


def effective_settings(settings: Settings) -> Settings:
    """``settings`` with the stored values applied (one read of the store)."""
    return overlay(settings, current(open_store(settings)))


def check_offline_tiles(settings: Settings, changes: Mapping[str, str]) -> TileSource | None:
    """The offline tile source that ``changes`` (to the 设置 page's values) leave in force, opened and checked
    on disk (path, tiles readable, zoom range, MBTiles metadata); None when ``changes`` leave it alone or
    none is set. Raises ``SettingsError`` (``TileSourceError``) naming the path or the value."""
    values = {key: getattr(settings, key) for key in TILE_KEYS}
    if not any(key in changes for key in TILE_KEYS):
        return None
    values |= {key: validate(key, changes[key]) or str(getattr(Settings, key, ""))
               for key in values if key in changes and key not in settings.env_fields}
    if not values["offline_tiles"]:
        return None
    return open_tile_source(values["offline_tiles"], crs=values["offline_tiles_crs"],
                            imagery=values["offline_tiles_kind"] == "imagery")


def notice_config(settings: Settings) -> NoticeConfig:
    """What notices print about people: ``notices.toml``, the contacts set on the 设置 page over it, and the
    责任人 from the store. Raises ``DataFileError`` for a malformed ``notices.toml``."""
    config = with_contacts(load_notice_config(settings.notices_config_path, district_name=settings.district_name),
                           settings)
    return replace(config, owners=current_owners(open_store(settings)))


def with_contacts(config: NoticeConfig, settings: Settings) -> NoticeConfig:
    """``config`` (from ``notices.toml``) with the contacts set on the 设置 page over it."""
    stored = dict(settings.notice_contacts)
    if not stored:
        return config

    def merged(owner: str, base: Contact) -> Contact:
        values = {part: stored.get(contact_key(owner, part)) or getattr(base, part) for part in CONTACT_PARTS}
        return Contact(**values)

    townships = dict(config.townships)
    for key in stored:
        if key.startswith("notice.townships."):
            owner = key.removeprefix("notice.townships.").rpartition(".")[0]
            townships[owner] = merged(owner, config.townships.get(owner, Contact()))
    return replace(config, district=merged(DISTRICT, config.district), townships=townships)


def toml_contact(config: NoticeConfig, owner: str, part: str) -> str:
    """A contact's value from ``notices.toml`` ('' where it prints a placeholder)."""
    contact = config.district if owner == DISTRICT else config.townships.get(owner, Contact())
    value = str(getattr(contact, part))
    return "" if value == PLACEHOLDER else value
