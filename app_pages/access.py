"""Who is using the app: the optional accounts, the signed-in user, and which pages each role has.

With no account in the store the app stays open, as before accounts existed (a discreet line says
how to turn logins on). Once any account exists every page needs a login; the requested address
(``/?site=…`` from a notice's QR code) is kept, so the page opens after logging in. A 乡镇巡查员 sees
only its own township's pairs on every page (``visible_register``); the store checks every write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_pages import state
from school_water_map.accounts import AccountError, AuthError, User, get_user, list_users
from school_water_map.register import Register
from school_water_map.scope import require_place
from school_water_map.scope import visible_register as scoped
from school_water_map.settings import Settings
from school_water_map.store import open_store

OPEN = "open"  # no account exists yet: everyone may read and locate
ADMIN, PATROL, VIEWER = "admin", "patrol", "viewer"
EVERYONE = frozenset({OPEN, ADMIN, PATROL, VIEWER})
OPEN_BANNER = ("尚未创建账号：任何人都可查看和定位。创建管理员后将启用登录：swmap user add 用户名 --role admin")


@dataclass(frozen=True)
class PageSpec:
    """A page and who has it: in the menu (``menu``), or only by its address (``by_address``); it
    comes first (and opens at ``/``) for the roles in ``first_for``."""

    path: str
    title: str
    icon: str
    menu: frozenset[str]
    by_address: frozenset[str] = frozenset()
    first_for: frozenset[str] = frozenset()


def accounts_exist(settings: Settings) -> bool:
    return bool(list_users(open_store(settings)))


def refresh_user(settings: Settings) -> User | None:
    """The signed-in user, re-read from the store: a disabled or deleted account is signed out at once."""
    held = st.session_state.get(state.USER)
    if not isinstance(held, User):
        return None
    try:
        user = get_user(open_store(settings), held.username)
    except AccountError:
        user = None
    if user is None or not user.active:
        st.session_state.pop(state.USER, None)
        return None
    st.session_state[state.USER] = user
    return user


def user() -> User | None:
    """The signed-in user of this run (the router refreshed it), or None in open mode."""
    held = st.session_state.get(state.USER)
    return held if isinstance(held, User) else None


def author_name(account: User) -> str:
    return account.display_name or account.username


def can_open(path: str) -> bool:
    """Whether this session's role has the page (in its menu or by address): links to others are not shown."""
    return path in st.session_state.get(state.PAGES_OPEN, ())


def may_place(register: Register, entity_id: str) -> bool:
    """Whether the signed-in user may record this entity's position (open mode: anyone)."""
    account = user()
    try:
        if account is not None:
            require_place(account, register.resolution, entity_id)
    except AuthError:
        return False
    return True


def visible_register(settings: Settings) -> Register:
    """The register as the signed-in user may see it (a patrol: its township's pairs only)."""
    return scoped(state.register(settings), user())


def navigation(specs: Sequence[PageSpec], account: User | None) -> StreamlitPage:
    """Show the menu for ``account`` (None: open mode) and give the page asked for; a QR code's
    ``/?site=`` opens the 巡查 page on that site."""
    role = _role(account)
    shown = sorted((s for s in specs if role in s.menu | s.by_address), key=lambda s: role not in s.first_for)
    default = _default(specs, role)
    pages = {s.path: st.Page(s.path, title=s.title, icon=s.icon, default=s.path == default,
                             visibility="visible" if role in s.menu else "hidden") for s in shown}
    st.session_state[state.PAGES_OPEN] = frozenset(pages)
    chosen = st.navigation(list(pages.values()), position="top")
    path = next(p for p, page in pages.items() if page is chosen)
    site = st.query_params.get("site")
    if site and chosen.url_path == "" and path != state.PAGE_PATROL and state.PAGE_PATROL in pages:
        st.switch_page(state.PAGE_PATROL, query_params={"site": site})
    return chosen


def login_navigation(specs: Sequence[PageSpec]) -> str | None:
    """Before logging in: every page known but hidden, so the address asked for opens afterwards.
    Gives the path asked for, or None for the app's root address."""
    pages = {s.path: st.Page(s.path, title=s.title, icon=s.icon, default=i == 0, visibility="hidden")
             for i, s in enumerate(specs)}
    chosen = st.navigation(list(pages.values()), position="hidden")
    return None if chosen.url_path == "" else next(p for p, page in pages.items() if page is chosen)


def enter(specs: Sequence[PageSpec], asked: str | None, account: User) -> None:
    """Just logged in: open the page asked for (the 巡查 page for a ``?site=``), or the role's first page."""
    st.session_state[state.USER] = account
    role = _role(account)
    site = st.query_params.get("site")
    reachable = {s.path for s in specs if role in s.menu | s.by_address}
    if site and state.PAGE_PATROL in reachable:
        st.switch_page(state.PAGE_PATROL, query_params={"site": site})
    if asked in reachable:
        st.switch_page(asked, query_params=st.query_params.to_dict())  # e.g. /notices?school=…
    st.switch_page(_default(specs, role))


def header(account: User | None) -> None:
    """The open-mode line, or who is logged in with a 退出 button."""
    if account is None:
        st.caption(f":material/lock_open: {OPEN_BANNER}")
        return
    who, out = st.columns([5, 1], vertical_alignment="center")
    who.caption(f":material/account_circle: 当前账号：{account.label}")
    out.button("退出", key="logout", icon=":material/logout:", on_click=sign_out, width="stretch")


def _role(account: User | None) -> str:
    return account.role if account else OPEN


def _default(specs: Sequence[PageSpec], role: str) -> str:
    """The role's first page in its menu (opened at ``/``)."""
    return next(s.path for s in sorted(specs, key=lambda s: role not in s.first_for) if role in s.menu)


def sign_out() -> None:
    """Forget the user and everything typed in this session (drafts stay in the store)."""
    st.session_state.clear()
