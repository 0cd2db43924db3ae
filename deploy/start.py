"""Start Pilot Tracker as a small cluster on one machine: N Streamlit replicas behind nginx.

    python deploy/start.py --replicas 2 --port 8080 --db postgresql://reader@dbhost/indicators \
        --snapshots /srv/pilot-tracker/snapshots --run-dir /run/pilot-tracker

Each replica is `python -m app.ui.serve` (streamlit_app.py with the production settings of
.streamlit/config.toml) on a loopback port; nginx (Debian's package) renders deploy/nginx.conf.template
into --run-dir and listens on --port. Ctrl-C stops everything. On a server, systemd runs the same
pieces (docs/deploy.md); tests/test_deploy.py and benchmarks/load.py use the functions below.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from app.server_process import free_port, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
MIME_TYPES = Path("/etc/nginx/mime.types")
START_TIMEOUT_S = 90


@dataclass
class Cluster:
    url: str
    run_dir: Path
    nginx: subprocess.Popen
    replicas: dict[int, subprocess.Popen] = field(default_factory=dict)  # port -> process

    def stop_replica(self, port: int) -> None:
        stop(self.replicas.pop(port))

    def stop(self) -> None:
        for port in list(self.replicas):
            self.stop_replica(port)
        stop(self.nginx)


def streamlit_static() -> Path:
    import streamlit

    return Path(streamlit.__file__).resolve().parent / "static"


def nginx_config(listen: int, replica_ports: list[int], run_dir: Path, snapshots: Path) -> str:
    """The nginx configuration for these ports and folders (deploy/nginx.conf.template filled in)."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in replica_ports)
    return Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        RUN_DIR=run_dir, MIME_TYPES=MIME_TYPES, UPSTREAM_SERVERS=servers, LISTEN=f"127.0.0.1:{listen}",
        STREAMLIT_STATIC=streamlit_static(), APP_STATIC=ROOT / "static", SNAPSHOT_ROOT=snapshots)


def start_replica(port: int, db_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PILOT_TRACKER_DB": db_url}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "app.ui.serve", "--server.port", str(port),
                                 "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def start(db_url: str, *, replicas: int = 2, port: int | None = None, run_dir: Path, snapshots: Path,
          nginx: str = "nginx") -> Cluster:
    """Replicas first (each until it answers its health check), then nginx in front of them."""
    if shutil.which(nginx) is None:
        raise RuntimeError(f"{nginx} not found: install Debian's package (apt-get install nginx)")
    run_dir.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(replicas)]
    processes = {p: start_replica(p, db_url, run_dir / f"replica-{p}.log") for p in ports}
    try:
        for p, process in processes.items():
            wait_until_healthy(f"http://127.0.0.1:{p}", process, START_TIMEOUT_S, 0.1)
        listen = port or free_port()
        config = run_dir / "nginx.conf"
        config.write_text(nginx_config(listen, ports, run_dir, snapshots), encoding="utf-8")
        proxy = subprocess.Popen([nginx, "-c", str(config), "-e", str(run_dir / "error.log"),
                                  "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        cluster = Cluster(f"http://127.0.0.1:{listen}", run_dir, proxy, processes)
        wait_until_healthy(cluster.url, proxy, START_TIMEOUT_S, 0.1)
        return cluster
    except BaseException:
        for process in processes.values():
            stop(process)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("PILOT_TRACKER_DB", f"sqlite:///{ROOT / 'data' / 'demo.sqlite'}"),
                        help="the database every replica reads (default: $PILOT_TRACKER_DB, else the demo)")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens (127.0.0.1)")
    parser.add_argument("--snapshots", type=Path, default=ROOT / "artifacts" / "snapshots",
                        help="the static snapshot site, served at /snapshots/")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "artifacts" / "deploy",
                        help="nginx.conf, pid, logs and temp files")
    args = parser.parse_args(argv)
    args.snapshots.mkdir(parents=True, exist_ok=True)
    cluster = start(args.db, replicas=args.replicas, port=args.port, run_dir=args.run_dir.resolve(),
                    snapshots=args.snapshots.resolve())
    print(f"serving {cluster.url} through nginx; replicas on ports {', '.join(map(str, cluster.replicas))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while cluster.nginx.poll() is None:
            time.sleep(1)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
