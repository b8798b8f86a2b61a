# policy-monitor: the daemon in a slim image, as a non-root user, with the database in a volume.
# Build: docker build -t policy-monitor .   Run: see README.md, "Docker".
# With the headless browser for pages that need one (about 440 MB more): --build-arg RENDER=1
FROM python:3.11-slim
ARG RENDER=0

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    POLICY_MONITOR_CONFIG=/etc/policy-monitor/config.toml \
    POLICY_MONITOR_DATABASE_URL=sqlite:////data/policy-monitor.db

# tini reaps the crawler's short-lived children (and the browser's) and forwards SIGTERM to the daemon.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
    && if [ "$RENDER" = 1 ]; then apt-get install -y --no-install-recommends chromium; fi \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 monitor && mkdir -m 700 /data && chown monitor /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY crawler crawler
COPY monitor monitor
COPY storage storage
RUN if [ "$RENDER" = 1 ]; then pip install '.[postgres,queue,render]'; else pip install '.[postgres,queue]'; fi
COPY config.toml /etc/policy-monitor/config.toml

USER monitor
VOLUME ["/data"]
HEALTHCHECK --interval=5m --timeout=60s --start-period=10m CMD ["monitor", "status"]
ENTRYPOINT ["tini", "--", "monitor"]
CMD ["run"]
