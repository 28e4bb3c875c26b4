"""The project's exceptions: small builtin subclasses, each carrying a Chinese user message."""

from __future__ import annotations


class AnnexParseError(ValueError):
    """A cell of an annex row could not be read unambiguously.

    ``str(error)`` is the Chinese message for users; ``row``, ``field`` and ``text`` name the culprit;
    ``line`` is the line in the file, named when the row has no usable 序号.
    """

    def __init__(self, *, row: int | str | None, field: str, text: str, reason: str,
                 line: int | None = None) -> None:
        self.row = row
        self.field = field
        self.text = text
        self.reason = reason
        self.line = line
        where = f"第 {row} 行" if row is not None else (f"文件第 {line} 行" if line is not None else "输入")
        super().__init__(f"{where}“{field}”无法识别：“{text}”（{reason}）")


class UnknownPlaceError(LookupError):
    """A school, water body or anchor that the register does not know."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"找不到{kind}：“{key}”")

    def __str__(self) -> str:  # LookupError would repr() the argument
        return str(self.args[0])


class PositionError(ValueError):
    """A position that cannot be recorded: bad coordinates, CRS, precision or source."""


class RulesError(ValueError):
    """The risk rules file is malformed."""


class DataFileError(ValueError):
    """A curated or user data file is malformed (names the file and the row)."""


class MissingGlyphError(ValueError):
    """Text for a printed notice has characters that the shipped font cannot draw (they would print blank)."""

    def __init__(self, characters: str, *, document: str) -> None:
        self.characters = characters
        self.document = document
        codes = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in characters)
        super().__init__(f"{document}中有字体无法显示的字符：{codes}；请改用常用写法后再打印")


class SettingsError(ValueError):
    """An environment variable with a value the settings cannot use (names the variable)."""


class StoredTextError(ValueError):
    """Text the store refuses to keep: a NUL character (PostgreSQL cannot store it); names the field."""
