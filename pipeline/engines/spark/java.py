"""Java for Spark: find it as pyspark does, read its version, install it for `make spark`.

pyspark starts the JVM with $JAVA_HOME/bin/java when JAVA_HOME is set, else the
`java` on PATH; Spark 4 needs Java 17 or newer.

    python -m pipeline.engines.spark.java            # check; exit 1 with one line if unusable
    python -m pipeline.engines.spark.java --install  # install default-jre-headless with apt-get if needed
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MIN_JAVA = 17
PACKAGE = "default-jre-headless"
INSTRUCTION = (
    f"Spark needs Java {MIN_JAVA} or newer: install a Java runtime (Debian/Ubuntu: "
    f"sudo apt-get install -y {PACKAGE}; elsewhere OpenJDK {MIN_JAVA}+) and put `java` on PATH "
    "or set JAVA_HOME, then run `make spark` again"
)
VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def java_binary() -> str | None:
    """The java pyspark would start: $JAVA_HOME/bin/java, else `java` on PATH (None: neither)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() else None
    return shutil.which("java")


def java_version(binary: str | None = None) -> int | None:
    """The major version of BINARY (default: java_binary()); None when absent or unreadable."""
    binary = binary or java_binary()
    if not binary:
        return None
    try:
        shown = subprocess.run(
            [binary, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_version(shown.stderr + shown.stdout)


def parse_version(text: str) -> int | None:
    """'openjdk version "17.0.15" ...' -> 17; the old '"1.8.0_392"' form -> 8."""
    found = VERSION.search(text)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def java_problem() -> str | None:
    """None when a usable Java is there, else what is wrong in one line."""
    binary = java_binary()
    if binary is None:
        where = "$JAVA_HOME/bin/java" if os.environ.get("JAVA_HOME") else "`java` on PATH"
        return f"no Java found ({where})"
    version = java_version(binary)
    if version is None:
        return f"{binary} -version did not say its version"
    if version < MIN_JAVA:
        return f"{binary} is Java {version}; Spark needs {MIN_JAVA} or newer"
    return None


def install_command() -> list[str] | None:
    """apt-get install of the default JRE, through sudo when not root (None: no apt-get)."""
    if not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return ["apt-get"]
    return ["sudo", "apt-get"] if shutil.which("sudo") else None


def ensure(*, install: bool) -> int:
    """Check Java, installing it with apt-get when INSTALL and missing; the exit status."""
    problem = java_problem()
    if problem is None:
        print(f"Java {java_version()} found ({java_binary()})")
        return 0
    apt = install_command() if install else None
    if apt is None:
        print(f"{problem}. {INSTRUCTION}", file=sys.stderr)
        return 1
    print(f"{problem}: installing {PACKAGE} with {' '.join(apt)} (make spark)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["update", "-q"], ["install", "-y", "-q", PACKAGE]):
        if subprocess.run(apt + step, env=env, check=False).returncode != 0:
            print(f"`{' '.join(apt + step)}` failed. {INSTRUCTION}", file=sys.stderr)
            return 1
    problem = java_problem()
    if problem:
        print(f"after installing {PACKAGE}: {problem}. {INSTRUCTION}", file=sys.stderr)
        return 1
    print(f"Java {java_version()} installed ({java_binary()})")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help=f"apt-get install {PACKAGE}")
    sys.exit(ensure(install=parser.parse_args(argv).install))


if __name__ == "__main__":
    main()
