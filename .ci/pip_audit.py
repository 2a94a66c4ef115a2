"""Audit the installed Python packages for known vulnerabilities (pip-audit).

Run with the project's virtualenv after ``make deps`` (``.venv/bin/python .ci/pip_audit.py``):
the virtualenv holds pyproject's runtime and dev groups and what they pull in, so that is
what gets audited, against the PyPI advisory database.

Exit status: 1 when a package has a known vulnerability (each is listed with the versions
that fix it); 2 when pip-audit itself failed.

pip-audit asks PyPI about each installed version (``/pypi/NAME/VERSION/json``). Where that
endpoint does not answer (a registry mirror that serves only the project pages), the
project page is read instead: it lists the advisories of the latest release, so a package
installed at its latest release is still audited; the others are listed as not audited.
With PIP_AUDIT_STRICT=1 any package left unaudited fails the run.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"


def latest_release_advisories(name: str, version: str) -> list[dict[str, Any]] | None:
    """The advisories of ``name`` ``version`` from its project page if ``version`` is the
    latest release (the page lists that release's), else None (not audited)."""
    try:
        with urllib.request.urlopen(PROJECT_PAGE.format(name=name), timeout=30) as answer:
            page = json.load(answer)
    except (OSError, ValueError):
        return None
    if page.get("info", {}).get("version") != version:
        return None
    return [
        {"id": v.get("id"), "aliases": v.get("aliases"), "fix_versions": v.get("fixed_in")}
        for v in page.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    if not pip_audit.exists():
        print("pip-audit is not installed in this environment (make deps)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "pip-audit.json"
        done = subprocess.run(
            [
                str(pip_audit),
                "--progress-spinner=off",
                "--format=json",
                f"--output={report_path}",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if not report_path.exists():
            print(done.stdout + done.stderr, file=sys.stderr)
            return 2
        report = json.loads(report_path.read_text())

    installed = {
        re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
        for d in importlib.metadata.distributions()
    }
    packages = report.get("dependencies", [])
    for package in packages:
        package.setdefault("version", installed.get(package["name"], "?"))
        if "skip_reason" in package:
            vulns = latest_release_advisories(package["name"], package["version"])
            if vulns is not None:
                package.pop("skip_reason")
                package["vulns"] = vulns
    skipped = [p for p in packages if "skip_reason" in p]
    vulnerable = [p for p in packages if p.get("vulns")]
    audited = len(packages) - len(skipped)
    print(f"pip-audit: {len(packages)} installed packages, {audited} audited, {len(skipped)} not")
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(
                f"  VULNERABLE {package['name']} {package['version']}: {vuln['id']}"
                + (f" ({aliases})" if aliases else "")
                + f"; fixed in {fixes}"
            )
    if vulnerable:
        return 1
    if skipped:
        names = ", ".join(f"{p['name']} {p['version']}" for p in skipped)
        print(f"  not audited: {names}")
        if os.environ.get("PIP_AUDIT_STRICT") == "1":
            return 1
    print("  no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
