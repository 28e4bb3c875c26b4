"""The settings in force: the deploy-time ``Settings`` (environment) with the 设置 page's stored values
over them, except where an environment variable is set; and the notice contacts, stored over
``notices.toml`` field by field."""

from __future__ import annotations

from dataclasses import replace

from school_water_map.domain.app_settings import CONTACT_PARTS, DISTRICT, contact_key, overlay
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig, load_notice_config
from school_water_map.settings import Settings
from school_water_map.store.app_settings import current
from school_water_map.store.database import open_store
from school_water_map.store.owners import current as current_owners


def effective_settings(settings: Settings) -> Settings:
    """``settings`` with the stored values applied (one read of the store)."""
    return overlay(settings, current(open_store(settings)))


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
