# CI stand-in for the official python:3.11-slim: Debian's Python 3.11 with a virtual environment at /usr/local,
# which gives the official layout (python, python3, pip in /usr/local/bin) and no "externally-managed" error.
FROM debian:bookworm-slim
ENV LANG=C.UTF-8 \
    PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHON_VERSION=3.11
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv ca-certificates netbase tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 -m venv /usr/local \
    && find /usr/lib/python3.11 /usr/local/lib/python3.11 -depth -name __pycache__ -type d -exec rm -rf {} + \
    && python --version && pip --version
CMD ["python3"]
