"""Where the TOML settings are: a deployment's own folder, the project's, or the installed copy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_SOURCE_CONFIG = Path(__file__).resolve().parent.parent / "config"
# An installed package (pip install) has its defaults under <prefix>/share (pyproject.toml).
_INSTALLED_CONFIG = Path(sys.prefix) / "share" / "participation-bot" / "config"
DEFAULT_CONFIG_DIR = (
    _SOURCE_CONFIG if (_SOURCE_CONFIG / "default.toml").exists() else _INSTALLED_CONFIG
)
# A deployment's own config folder (a pip-installed bot needs no edits inside the package).
CONFIG_DIR_ENV = "PARTICIPATION_CONFIG_DIR"


class ConfigError(Exception):
    """A setting is wrong; the message names the key and the problem in one line."""


def config_dir_from(given: Path | None = None) -> Path:
    """Return the config folder: the one given, else $PARTICIPATION_CONFIG_DIR, else config/."""
    if given is not None:
        return given
    from_env = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    if not (DEFAULT_CONFIG_DIR / "default.toml").exists():
        raise ConfigError(
            f"config: no config folder found: set {CONFIG_DIR_ENV} (or --config-dir) to a "
            "folder holding default.toml (copy the project's config/ folder)"
        )
    return DEFAULT_CONFIG_DIR
