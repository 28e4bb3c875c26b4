"""The audit log of logins and account changes: who, when, what, to which account, from which client.

Entries are written in the same transaction as the change they describe (so a change that is rolled
back leaves no entry); a password never reaches the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from school_water_map.store.database import Store
from school_water_map.store.db.models import AuditRow

#: Every action the log knows, with its Chinese label.
ACTIONS = {
    "user_added": "新增账号",
    "user_disabled": "停用账号",
    "password_reset": "修改密码",
    "login_ok": "登录成功",
    "login_failed": "登录失败",
    "login_refused": "登录被限制",
    "logout": "退出登录",
    "session_revoked": "登录会话注销",
    "settings_changed": "修改设置",
    "township_assigned": "指定学校乡镇",
    "owners_changed": "修改责任人",
}
CLI_ACTOR = "命令行"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    client: str
    detail: str

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def record(session: Session, action: str, *, actor: str, target: str = "", client: str = "", detail: str = "",
           now: datetime | None = None) -> None:
    """Add an entry in ``session``'s transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditRow(at=now or datetime.now(UTC), actor=actor[:128], action=action, target=target[:64],
                         client=client[:64], detail=detail))


def entries(store: Store, *, target: str | None = None, limit: int = 500) -> list[AuditEntry]:
    """The newest entries first (only those about ``target`` when given)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AuditRow.target == target)
    with store.session() as session:
        return [AuditEntry(at=_utc(row.at), actor=row.actor, action=row.action, target=row.target,
                           client=row.client, detail=row.detail) for row in session.scalars(query)]


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
