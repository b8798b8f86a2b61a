# policy-monitor: the daemon in a slim image, as a non-root user, with the database in a volume.
# Build: docker build -t policy-monitor .   Run: see README.md, "Docker".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    POLICY_MONITOR_CONFIG=/etc/policy-monitor/config.toml \
    POLICY_MONITOR_DATABASE_URL=sqlite:////data/policy-monitor.db

# tini reaps the crawler's short-lived children and forwards SIGTERM to the daemon.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 monitor && mkdir /data && chown monitor /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY crawler crawler
COPY monitor monitor
COPY storage storage
RUN pip install '.[postgres]'
COPY config.toml /etc/policy-monitor/config.toml

USER monitor
VOLUME ["/data"]
HEALTHCHECK --interval=5m --timeout=60s --start-period=10m CMD ["monitor", "status"]
ENTRYPOINT ["tini", "--", "monitor"]
CMD ["run"]
