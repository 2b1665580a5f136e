"""Apache Kafka's jars: the official artifacts on Maven Central, listed in
`deploy/kafka/pom.xml` and fetched once by Maven into `var/kafka/libs`, or an installed
distribution's `$KAFKA_HOME/libs`. See docs/adr/0003-kafka-from-maven-central.md for why.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

POM = Path(__file__).resolve().parent / "kafka" / "pom.xml"
DEFAULT_VAR = Path(__file__).resolve().parents[1] / "var"
STAMP = ".pom.sha256"


class BrokerError(RuntimeError):
    """The broker's jars cannot be had, or the broker would not start."""


def kafka_libs(var_dir: Path) -> Path:
    """The directory of Kafka's jars: `$KAFKA_HOME/libs`, else `<var_dir>/kafka/libs`.

    The latter is fetched by Maven the first time, and again only when the pom changes.
    """
    home = os.environ.get("KAFKA_HOME")
    if home:
        return _installed_libs(Path(home))
    libs = var_dir / "kafka" / "libs"
    libs.parent.mkdir(parents=True, exist_ok=True)
    with _locked(libs.parent / ".fetch.lock"):
        if not libs_are_current(libs, POM):
            fetch_libs(POM, libs)
    return libs


def _installed_libs(home: Path) -> Path:
    libs = home / "libs"
    if not any(libs.glob("kafka_2.13-*.jar")):
        raise BrokerError(
            f"KAFKA_HOME={home} holds no Kafka distribution (no libs/kafka_2.13-*.jar)"
        )
    return libs


def pom_digest(pom: Path) -> str:
    """What the stamp in a libs directory records: the SHA-256 of the pom it came from."""
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def libs_are_current(libs: Path, pom: Path) -> bool:
    """Whether `libs` holds exactly what `pom` lists (its stamp matches the pom)."""
    stamp = libs / STAMP
    return stamp.is_file() and stamp.read_text().strip() == pom_digest(pom)


def fetch_libs(pom: Path, libs: Path) -> None:
    """Let Maven copy the pom's jars into `libs`, replacing whatever was there.

    Maven writes into a side directory that is renamed into place only when complete, so an
    interrupted fetch never leaves a half-filled classpath, nor old and new jars mixed.
    """
    partial = libs.with_name(libs.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    run_maven(pom, partial)
    (partial / STAMP).write_text(pom_digest(pom) + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)


def run_maven(pom: Path, output: Path) -> None:
    """`mvn dependency:copy-dependencies` for `pom` into `output`; BrokerError if it fails."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError("Maven (mvn) is not installed: install it, or set KAFKA_HOME")
    command = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom)]
    command += ["dependency:copy-dependencies", f"-DoutputDirectory={output.resolve()}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BrokerError(
            f"Maven could not fetch org.apache.kafka:kafka_2.13:{pom_kafka_version(pom)} "
            f"from Maven Central:\n{last}"
        )


def pom_kafka_version(pom: Path) -> str:
    """The Kafka release the pom asks for (its `kafka.version` property)."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    # Our own file, not untrusted input.
    root = ElementTree.parse(pom).getroot()  # noqa: S314
    return root.findtext("m:properties/m:kafka.version", default="?", namespaces=namespace)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`, so two processes never fetch into one place."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
