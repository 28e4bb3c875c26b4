"""SQLAlchemy 2 models of user data: accounts, recorded positions, inspections and their drafts.

The schema is created and changed only by the Alembic migrations beside this module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))  # admin | patrol | viewer
    township: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PositionRow(Base):
    __tablename__ = "positions"

    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    wkt: Mapped[str] = mapped_column(Text)
    precision: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[str] = mapped_column(String(32))
    input_crs: Mapped[str] = mapped_column(String(16))
    input_text: Mapped[str] = mapped_column(Text, default="")
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    supersedes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class InspectionRow(Base):
    """One patrol's checklist for one site at one time. Append-only (database triggers refuse changes)."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    township: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspector: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)  # checklist item code → option code
    problems: Mapped[str] = mapped_column(Text, default="")
    action_taken: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(256), nullable=True)  # path under the data dir
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    distance_to_site_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    presence: Mapped[str] = mapped_column(String(16))  # at_site | not_at_site | no_gps | site_unplaced
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), nullable=True)


class DraftRow(Base):
    """A half-filled checklist, saved as the user goes (one per user and site)."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "site_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    site_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CandidateRow(Base):
    """A geocoder's answer awaiting (or after) a person's decision."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    answer_crs: Mapped[str] = mapped_column(String(16))
    raw: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[str] = mapped_column(String(32))
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    decided_at: Mapped[str] = mapped_column(String(32), default="")


class AnnexRowRecord(Base):
    """An applied annex (the newest is in force; the older ones are its history)."""

    __tablename__ = "annexes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    aliases: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(String(128))
    applied_at: Mapped[str] = mapped_column(String(32))


class PrefRow(Base):
    __tablename__ = "prefs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LoginAttemptRow(Base):
    """One login attempt, for throttling: failures per account and per client in the lockout window.

    ``outcome`` is ``pending`` while the password is being checked (it counts as a failure, so
    concurrent guesses are throttled too), then ``ok``, ``failed`` or ``refused`` (throttled: no hash ran).
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_client_at", "client", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    username: Mapped[str] = mapped_column(String(64))  # as typed, stripped and lower-cased
    client: Mapped[str] = mapped_column(String(64))  # the client's address ("local" for this machine)
    outcome: Mapped[str] = mapped_column(String(16))  # pending | ok | failed | refused


class AuditRow(Base):
    """Who did what to which account, when and from where (never a password)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(64), index=True, default="")  # the account concerned
    client: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class AuthSessionRow(Base):
    """A signed-in browser: only the SHA-256 of its random token is kept; expires, or is revoked."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    client: Mapped[str] = mapped_column(String(64), default="")


class AppSettingRow(Base):
    """One change on the 设置 page: a key's new value (empty: back to the default), who and when.
    Append-only (database triggers refuse changes); a key's current value is its newest row."""

    __tablename__ = "app_settings"
    __table_args__ = (Index("ix_app_settings_key_id", "key", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(96))
    value: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(128))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TownshipAssignmentRow(Base):
    """One assignment of a school's township by a 管理员 (who, when, why). Append-only (database triggers
    refuse changes); a school's current township is its newest row."""

    __tablename__ = "township_assignments"
    __table_args__ = (Index("ix_township_assignments_school_id", "school_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[str] = mapped_column(String(64))
    township: Mapped[str] = mapped_column(String(64))
    assigned_by: Mapped[str] = mapped_column(String(128))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class OwnerRow(Base):
    """One change of a 责任人 (role, subject, unit, person, phone; who, when). Append-only (database
    triggers refuse changes); a role's current holder for a subject is its newest row."""

    __tablename__ = "owners"
    __table_args__ = (Index("ix_owners_subject", "role", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # township | village | school | water
    subject_id: Mapped[str] = mapped_column(String(96))
    unit: Mapped[str] = mapped_column(String(128), default="")
    person: Mapped[str] = mapped_column(String(128), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    changed_by: Mapped[str] = mapped_column(String(128))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class TaskRow(Base):
    """A rectification task as raised (site, problem, measure, owners, first deadline). Append-only (database
    triggers refuse changes): everything after is a :class:`TaskEventRow`."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    township: Mapped[str] = mapped_column(String(64), index=True)
    problem: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(128), default="")
    person: Mapped[str] = mapped_column(String(128), default="")
    deadline: Mapped[date] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_by: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))  # inspection | bureau
    note: Mapped[str] = mapped_column(Text, default="")


class TaskEventRow(Base):
    """One change of a task (who, when, what, with its evidence). Append-only (database triggers)."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_task_id", "task_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    kind: Mapped[str] = mapped_column(String(16))  # raised | repeat | fixed | returned | verified | deadline
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(256), nullable=True)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    presence: Mapped[str] = mapped_column(String(16), default="no_gps")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), nullable=True)


class OpenTaskRow(Base):
    """The one open task of a site and problem: its primary key is what keeps a second one out, whatever
    writers race. Inserted when a task is raised, deleted when it is verified (the history stays in tasks)."""

    __tablename__ = "open_tasks"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    problem: Mapped[str] = mapped_column(String(16), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), unique=True)
