# One image for the three Lotse services and the web app; the command picks the service:
#   docker build -t lotse .
#   docker run lotse lotse_catalog --host 0.0.0.0   (or lotse_matching, lotse_notifications, lotse_web)
# Each service migrates its own database when it starts.

# htmx, which the web app serves, comes pinned from the npm registry, as `make frontend` fetches it.
FROM node:20-slim AS frontend
ARG HTMX=2.0.11
WORKDIR /frontend
RUN npm pack --silent htmx.org@${HTMX} \
    && tar xzf htmx.org-${HTMX}.tgz package/dist/htmx.min.js \
    && test -s package/dist/htmx.min.js

FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
# The lock and the members' metadata first, so that code changes reuse the dependency layer.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/catalog/pyproject.toml services/catalog/
COPY services/matching/pyproject.toml services/matching/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/web/pyproject.toml services/web/
COPY deploy/mailsink/pyproject.toml deploy/mailsink/
RUN uv sync --frozen --no-dev --no-install-workspace
COPY shared shared
COPY services services
COPY --from=frontend /frontend/package/dist/htmx.min.js services/web/src/lotse_web/static/vendor/
COPY deploy/mailsink deploy/mailsink
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app lotse
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 LOTSE_ENV=production
# the wheel must carry htmx, though git ignores it
RUN python -c "from importlib.resources import files; \
assert (files('lotse_web') / 'static/vendor/htmx.min.js').is_file(), 'htmx missing'"
USER 10001
EXPOSE 8000 8001 8002 8003
ENTRYPOINT ["python", "-m"]
CMD ["lotse_catalog", "--host", "0.0.0.0"]
