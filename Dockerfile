FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kam ./kam
COPY graph ./graph
COPY resolvers ./resolvers
COPY auth ./auth
COPY loaders ./loaders
RUN pip install --no-cache-dir . && useradd --create-home kam
USER kam
EXPOSE 8000
CMD ["kam", "serve"]
