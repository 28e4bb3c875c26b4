"""Township scoping (属地管理) of what an account sees and places.

Writes of inspections are checked in the store (with ``users.require_site_write``); this module applies
the same rule to the register a person is shown and to positions placed from the app: a 乡镇巡查员
sees its own township's pairs only, and places only schools and water bodies that belong wholly to
its township (a canal shared with other townships is placed by the bureau).
"""

from __future__ import annotations

from dataclasses import replace

from school_water_map.domain.entities import TOWNSHIP_UNKNOWN, Resolution
from school_water_map.domain.register import Register
from school_water_map.domain.users import PATROL, User, require_site_write
from school_water_map.errors import AuthError


def entity_townships(resolution: Resolution, entity_id: str) -> frozenset[str | None]:
    """A school's township, or the townships of a water body's schools (None = 待确认)."""
    if entity_id in resolution.schools:
        return frozenset({resolution.schools[entity_id].township})
    return frozenset(resolution.schools[p.school_id].township for p in resolution.pairs if p.water_id == entity_id)


def require_place(user: User, resolution: Resolution, entity_id: str) -> None:
    """Raise :class:`AuthError` (Chinese) unless ``user`` may record a position for this entity."""
    townships = entity_townships(resolution, entity_id) or frozenset({None})
    if all(user.can_write(township) for township in townships):
        return
    if not user.active or user.role != PATROL:
        require_site_write(user, None, "位置")  # raises the store's own message (disabled, read-only)
    names = "、".join(sorted(t or TOWNSHIP_UNKNOWN for t in townships))
    raise AuthError(f"无权定位“{_name(resolution, entity_id)}”：它涉及{names}，"
                    f"本账号只能定位{user.township}的学校和水体（跨乡镇的水体请由管理员定位）")


def visible_register(register: Register, user: User | None) -> Register:
    """The register as ``user`` may see it: a patrol's own township only; everyone else all of it."""
    if user is None or user.role != PATROL:
        return register
    return for_township(register, user.township)


def for_township(register: Register, township: str | None) -> Register:
    """The pairs of one township, with their schools (and the township's schools with no water),
    water bodies and derived positions; the name resolution stays whole (placing is checked apart)."""
    pairs = register.pairs[register.pairs["township"] == township].reset_index(drop=True)
    schools = register.schools[register.schools["township"] == township]
    waters = register.waters[register.waters.index.isin(pairs["water_id"].dropna())]
    derived = register.derived[register.derived["row"].isin(pairs["row"])]
    kept = set(schools.index) | set(waters.index)
    positions = {key: value for key, value in register.positions.items() if key in kept}
    return replace(register, pairs=pairs, schools=schools, waters=waters, derived=derived, positions=positions)


def _name(resolution: Resolution, entity_id: str) -> str:
    if entity_id in resolution.schools:
        return resolution.schools[entity_id].name
    water = resolution.waters.get(entity_id)
    return water.name if water else entity_id
