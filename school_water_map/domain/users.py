"""Users and roles (pure): 管理员 (the bureau: everything), 乡镇巡查员 (reads and inspects its own
township's sites only), 查看 (read-only). The role names live here and nowhere else; accounts are kept
by :mod:`school_water_map.store.accounts`."""

from __future__ import annotations

from dataclasses import dataclass

from school_water_map.errors import AuthError

ADMIN, PATROL, VIEWER = "admin", "patrol", "viewer"
ROLES = (ADMIN, PATROL, VIEWER)
ROLE_ZH = {ADMIN: "管理员", PATROL: "乡镇巡查员", VIEWER: "查看"}


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    township: str | None
    active: bool

    @property
    def label(self) -> str:
        where = f"，{self.township}" if self.township else ""
        return f"{self.display_name or self.username}（{ROLE_ZH[self.role]}{where}）"

    def can_read(self, township: str | None) -> bool:
        """Patrols see their own township's sites; the bureau and viewers see all."""
        return self.active and (self.role != PATROL or township == self.township)

    def can_write(self, township: str | None) -> bool:
        """Admins write everywhere; patrols only in their township; viewers nowhere."""
        return self.active and (self.role == ADMIN or (self.role == PATROL and township == self.township))


def require_site_write(user: User, township: str | None, what: str) -> None:
    """Raise :class:`AuthError` unless ``user`` may write data for a site in ``township``."""
    if user.can_write(township):
        return
    if not user.active:
        raise AuthError("该账号已停用，不能记录")
    if user.role == VIEWER:
        raise AuthError("“查看”账号只能查看，不能记录")
    raise AuthError(f"无权为{township or '乡镇待确认'}的{what}记录（本账号属于{user.township}）")
