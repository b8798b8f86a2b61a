# policy-monitor: slim image, non-root user, database in a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    POLICY_MONITOR_CONFIG=/etc/policy-monitor/config.toml \
    POLICY_MONITOR_DATABASE_URL=sqlite:////data/policy-monitor.db

RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/* \
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
ENTRYPOINT ["tini", "--", "monitor"]
CMD ["vendors"]
