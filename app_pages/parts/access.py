"""Who is using the app: the optional accounts, the signed-in user, and which pages each role has.

With no account in the store the app stays open, as before accounts existed (a discreet line says
how to turn logins on). Once any account exists every page needs a login; the requested address
(``/?site=…`` from a notice's QR code) is kept, so the page opens after logging in. A 乡镇巡查员 sees
only its own township's pairs on every page (``visible_register``); the store checks every write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_pages.parts import state
from app_pages.parts.md_text import md
from school_water_map.domain.register import Register
from school_water_map.domain.scope import require_place
from school_water_map.domain.scope import visible_register as scoped
from school_water_map.domain.users import ADMIN, PATROL, ROLE_ZH, VIEWER, User
from school_water_map.errors import AccountError, AuthError
from school_water_map.settings import Settings
from school_water_map.store import sessions
from school_water_map.store.accounts import get_user, list_users
from school_water_map.store.database import open_store

OPEN = "open"  # no account exists yet: everyone may read and locate
EVERYONE = frozenset({OPEN, ADMIN, PATROL, VIEWER})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{0,64}")
OPEN_BANNER = (f"尚未创建账号：任何人都可查看和定位。创建{ROLE_ZH[ADMIN]}后将启用登录："
               f"swmap user add 用户名 --role {ADMIN}")


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
    """The signed-in user, re-read from the store on every run: a disabled account, or a session that
    ended (logout in another tab, expired, a password reset), is signed out at once. A browser whose
    session cookie is live (a reload, a new tab) is signed in without asking for the password again."""
    store = open_store(settings)
    held = st.session_state.get(state.USER)
    token = st.session_state.get(state.SESSION_TOKEN, "")
    if not isinstance(held, User):
        token = token or _cookie()
    username = held.username if isinstance(held, User) and not token else None
    if token:
        username = sessions.resume(store, token)
    try:
        account = get_user(store, username) if username else None
    except AccountError:
        account = None
    if account is None or not account.active:
        for key in (state.USER, state.SESSION_TOKEN):
            st.session_state.pop(key, None)
        return None
    st.session_state[state.USER] = account
    if token:
        st.session_state[state.SESSION_TOKEN] = token
    return account


def client_address(settings: Settings) -> str:
    """The client, for login throttling and the audit log: the connection's address (``local`` on this
    machine), or, behind a reverse proxy the settings trust, the address it appended to X-Forwarded-For."""
    if settings.trusted_proxy:
        forwarded = _text(st.context.headers.get("X-Forwarded-For")).split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return _text(st.context.ip_address) or "local"


def sync_cookie(settings: Settings) -> None:
    """Give the browser the session cookie set or cleared by the last login or logout (once).

    A cookie can only be written by the page itself, so a tiny script does it (the token is URL-safe
    base64: nothing to escape). ``SameSite=Strict``; ``Secure`` when the page is served over HTTPS."""
    pending = st.session_state.pop(state.COOKIE_PENDING, None)
    if pending is None or not _TOKEN.fullmatch(pending):
        return
    age = round(settings.session_hours * 3600) if pending else 0
    st.html(f"""<script>document.cookie = "{sessions.COOKIE}={pending}; Path=/; Max-Age={age}; SameSite=Strict"
        + (location.protocol === "https:" ? "; Secure" : "");</script>""", unsafe_allow_javascript=True)


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


def enter(specs: Sequence[PageSpec], asked: str | None, account: User, settings: Settings) -> None:
    """Just logged in: start a lasting session (its cookie is set on the next run), then open the page
    asked for (the 巡查 page for a ``?site=``), or the role's first page."""
    token = sessions.create(open_store(settings), account.id, hours=settings.session_hours,
                            client=client_address(settings))
    st.session_state[state.USER] = account
    st.session_state[state.SESSION_TOKEN] = token
    st.session_state[state.COOKIE_PENDING] = token
    role = _role(account)
    site = st.query_params.get("site")
    reachable = {s.path for s in specs if role in s.menu | s.by_address}
    if site and state.PAGE_PATROL in reachable:
        st.switch_page(state.PAGE_PATROL, query_params={"site": site})
    if asked in reachable:
        st.switch_page(asked, query_params=st.query_params.to_dict())  # e.g. /notices?school=…
    st.switch_page(_default(specs, role))


def header(account: User | None, settings: Settings) -> None:
    """The open-mode line, or who is logged in with a 退出 button."""
    if account is None:
        st.caption(f":material/lock_open: {OPEN_BANNER}")
        return
    who, out = st.columns([5, 1], vertical_alignment="center")
    who.caption(f":material/account_circle: 当前账号：{md(account.label)}")
    out.button("退出", key="logout", icon=":material/logout:", on_click=sign_out, args=(settings,),
               width="stretch")


def _cookie() -> str:
    """The session token the browser sent with this connection (none, or not a token: empty)."""
    token = _text(st.context.cookies.get(sessions.COOKIE))
    return token if _TOKEN.fullmatch(token) else ""


def _text(value: object) -> str:
    """A request value, or empty (outside a browser connection, e.g. in AppTest, values can be absent)."""
    return value if isinstance(value, str) else ""


def _role(account: User | None) -> str:
    return account.role if account else OPEN


def _default(specs: Sequence[PageSpec], role: str) -> str:
    """The role's first page in its menu (opened at ``/``)."""
    return next(s.path for s in sorted(specs, key=lambda s: role not in s.first_for) if role in s.menu)


def sign_out(settings: Settings) -> None:
    """End this browser's session (in the store, so other tabs end too), forget everything typed in
    this session (drafts stay in the store) and clear the cookie."""
    token = st.session_state.get(state.SESSION_TOKEN) or _cookie()
    if token:
        sessions.revoke(open_store(settings), token, client=client_address(settings))
    st.session_state.clear()
    st.session_state[state.COOKIE_PENDING] = ""
