# The app as pip installs it anywhere: from its own pyproject.toml, every package the wheel
# lists (no list of folders kept here; .dockerignore keeps local state out of the context).
FROM python:3.11-slim
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . \
    && cd / && rm -rf /src \
    && useradd --create-home kam \
    && mkdir -p /var/lib/kam && chown kam:kam /var/lib/kam
WORKDIR /home/kam
USER kam
# The audit journal and logs live in the data directory: docker-compose.yml keeps it on a volume.
ENV KAM_DATA_DIR=/var/lib/kam \
    KAM_HOST=0.0.0.0 \
    KAM_PORT=8000
EXPOSE 8000
CMD ["kam", "serve"]
