"""The exceptions whose message is already Chinese for a person: the CLI prints them as ``错误：…`` and
the app shows them as they are; anything else is translated by ``failures.describe``."""

from __future__ import annotations

from school_water_map.accounts import AccountError, AuthError
from school_water_map.errors import (
    AnnexParseError,
    DataFileError,
    MissingGlyphError,
    PositionError,
    RulesError,
    SettingsError,
    StoredTextError,
    UnknownPlaceError,
)
from school_water_map.geocode import ProviderError

USER_ERRORS = (AnnexParseError, DataFileError, MissingGlyphError, PositionError, RulesError, SettingsError,
               StoredTextError, UnknownPlaceError, AccountError, AuthError, ProviderError)
