# The Diwan image that compose.yml runs as `api` and `worker`: Debian 12 with Tesseract, the
# fonts and a virtualenv, installed by the same script as a bare-metal server.
FROM debian:12-slim

WORKDIR /opt/diwan
COPY . .
RUN scripts/install.sh \
    && rm -rf /var/lib/apt/lists/* /root/.cache \
    && useradd --system --home-dir /var/lib/diwan --create-home diwan

ENV PATH=/opt/diwan/.venv/bin:$PATH \
    OMP_THREAD_LIMIT=1 \
    DIWAN_DATA_DIR=/var/lib/diwan
USER diwan
WORKDIR /var/lib/diwan
EXPOSE 8000
CMD ["diwan", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
