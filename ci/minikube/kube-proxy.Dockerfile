# kube-proxy with the tools it runs (iptables in Debian's nft mode, like the node's own, and conntrack).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables ipset conntrack kmod \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*
COPY kube-proxy /usr/local/bin/kube-proxy
