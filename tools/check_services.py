"""Before the tests: stop with one clear line if PostgreSQL or Redis cannot be reached."""

import os
import socket
import sys
from urllib.parse import urlsplit

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    database = urlsplit(os.environ.get("DATABASE_URL", ""))
    redis = urlsplit(os.environ.get("REDIS_URL", ""))
    if database.scheme not in {"postgres", "postgresql"}:
        print(f"make test needs DATABASE_URL to point at PostgreSQL (got {database.scheme or 'nothing'}).")
        return 1
    if redis.scheme not in {"redis", "rediss"}:
        print(f"make test needs REDIS_URL to point at Redis (got {redis.scheme or 'nothing'}).")
        return 1
    checks = [
        ("PostgreSQL", database.hostname or "127.0.0.1", database.port or 5432),
        ("Redis", redis.hostname or "127.0.0.1", redis.port or 6379),
    ]
    for name, host, port in checks:
        if not reachable(host, port):
            print(f"{name} is not reachable at {host}:{port}; start it with: {HOW_TO_START[name]}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
