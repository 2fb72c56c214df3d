"""The deployment recipes in deploy/ are the ones the README shows, and they use the ops port."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def test_every_deploy_file_is_shown_whole_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files = sorted(p for p in DEPLOY.iterdir() if p.is_file())
    assert len(files) >= 7
    for path in files:
        assert path.read_text(encoding="utf-8") in readme, f"README does not show {path.name}"


def test_every_bot_checks_health_on_the_port_it_serves() -> None:
    for name in ("compose.yaml", "compose.sharded.yaml", "participation-bot.service"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        ports = set(re.findall(r"OPS_PORT[=:] *\"?(\d+)", text))
        checked = set(re.findall(r"127\.0\.0\.1:(\d+)/health", text))
        assert ports and checked == ports, (name, ports, checked)
    template = (DEPLOY / "participation-bot@.service").read_text(encoding="utf-8")
    assert "127.0.0.1:$OPS_PORT/health" in template
    assert "--shards %i --shard-count ${SHARD_COUNT}" in template
    assert "Restart=on-failure" in template
