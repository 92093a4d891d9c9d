# The mock as an image: the static binary on scratch, so building needs no
# base image from a registry. Build it with `make image`, which compiles
# bin/scimconf-linux outside docker first:
#   CGO_ENABLED=0 GOOS=linux go build -tags scimconf_nocontainer -o bin/scimconf-linux ./cmd/scimconf
#   docker build -t scimconf/mock:dev .
# (the tag leaves out container-run and its Docker client, unused in here).
# Readiness: GET /healthz on port 8080 answers 200 once the mock serves.
# When ready the mock prints SCIM_BASE_URL, SCIM_TOKEN, VERIFIED_DOMAIN,
# ADMIN_URL, ADMIN_TOKEN and DNS_ADDR to stdout (the container log); the
# URLs name the listener ([::]:8080), not the host's mapped port.
FROM scratch
COPY bin/scimconf-linux /scimconf
# An unprivileged numeric user: scratch has no /etc/passwd, and no port
# below 1024 is needed.
USER 65534:65534
EXPOSE 8080/tcp 5353/udp 5353/tcp
ENTRYPOINT ["/scimconf", "serve", "--addr", "0.0.0.0:8080", "--dns-addr", "0.0.0.0:5353"]
