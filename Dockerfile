# The sheetsync daemon in a container, as a non-root user.
#   docker build -t sheetsync .
#   docker run -d --name sheetsync -p 127.0.0.1:8787:8787 \
#     -v /srv/sheetsync:/data -e SHEETSYNC_TOKEN=... \
#     -e GOOGLE_APPLICATION_CREDENTIALS=/data/key.json \
#     sheetsync daemon --log-format json --config /data/team.yaml
# In the config, bind the HTTP trigger to all interfaces inside the container
# (daemon.http: 0.0.0.0:8787) and publish the port on the host's loopback only, as above.
FROM python:3.12-slim

RUN useradd --system --create-home --home-dir /home/sheetsync --uid 10001 sheetsync
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sheetsync ./sheetsync
RUN pip install --no-cache-dir . && rm -rf /root/.cache

USER sheetsync
WORKDIR /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8787/healthz', timeout=4).status == 200 else 1)" || exit 1
ENTRYPOINT ["sheetsync"]
CMD ["daemon", "--log-format", "json", "--config", "/data/sheetsync.yaml"]
