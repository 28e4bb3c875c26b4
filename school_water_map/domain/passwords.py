"""The password policy: at least 10 characters, not only whitespace, not the username (nor containing
it, case-insensitively), and not one of the common passwords shipped in ``data/common_passwords.txt``.

Applied wherever a password is set: a new account and a reset (``swmap user add|password``, 账号管理).
"""

from __future__ import annotations

import functools

from school_water_map.errors import PasswordPolicyError
from school_water_map.settings import PACKAGE_DIR

MIN_LENGTH = 10
COMMON_PASSWORDS_PATH = PACKAGE_DIR / "data" / "common_passwords.txt"


def check_password(password: str, username: str) -> None:
    """Raise :class:`PasswordPolicyError` naming the first rule ``password`` breaks."""
    if password and not password.strip():
        raise PasswordPolicyError("密码不能全是空白字符")
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"密码至少 {MIN_LENGTH} 位（现为 {len(password)} 位）")
    name = username.strip().casefold()
    if name and name in password.casefold():
        raise PasswordPolicyError("密码不能包含用户名")
    if password.strip().casefold() in common_passwords():
        raise PasswordPolicyError("密码过于常见，容易被猜中，请换一个")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, case-folded (read once per process)."""
    lines = COMMON_PASSWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))
