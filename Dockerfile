# scimconf as an image: the static binary on scratch, so building needs no
# base image from a registry. One image does both jobs:
#   docker run --rm -p 8080:8080 scimconf/scimconf:dev            # the mock (default command: serve)
#   docker run --rm --network host -e SCIM_TOKEN -v "$PWD/out:/reports" --user "$(id -u):$(id -g)" \
#     scimconf/scimconf:dev conformance --target https://host/scim/v2   # the harness
# Build it with `make image`, which compiles bin/scimconf-linux outside
# docker first and makes bin/image-root (the empty /reports and /tmp):
#   CGO_ENABLED=0 GOOS=linux go build -tags scimconf_nocontainer -o bin/scimconf-linux ./cmd/scimconf
#   mkdir -p bin/image-root/reports bin/image-root/tmp bin/image-root/data
#   chmod 0777 bin/image-root/reports bin/image-root/data; chmod 1777 bin/image-root/tmp
#   docker build -t scimconf/scimconf:dev .
# (the tag leaves out container-run and its Docker client, unused in here).
# Readiness of serve: GET /healthz on port 8080 answers 200 once the mock
# serves. When ready the mock prints SCIM_BASE_URL, SCIM_TOKEN,
# VERIFIED_DOMAIN, ADMIN_URL, ADMIN_TOKEN and DNS_ADDR to stdout (the
# container log); the URLs name the listener ([::]:8080), not the host's
# mapped port.
FROM scratch
COPY bin/scimconf-linux /scimconf
# scratch has no directories: /reports (where conformance writes, REPORT_DIR),
# /data (for serve --data; a new named volume copies its mode) and /tmp, writable by any user (0777 and 1777, as make image sets them) so
# that they work without a mount and under --user; a mounted directory must
# be writable by the user the container runs as (--user "$(id -u):$(id -g)"
# makes that the caller).
COPY bin/image-root/ /
# serve listens on every interface inside the container (flags and other
# commands are unaffected); the embedded DNS mock likewise.
ENV SCIMCONF_ADDR=0.0.0.0:8080 \
    SCIMCONF_DNS_ADDR=0.0.0.0:5353 \
    REPORT_DIR=/reports \
    TMPDIR=/tmp
WORKDIR /reports
# An unprivileged numeric user: scratch has no /etc/passwd, and no port
# below 1024 is needed.
USER 65534:65534
EXPOSE 8080/tcp 8081/tcp 5353/udp 5353/tcp
ENTRYPOINT ["/scimconf"]
CMD ["serve"]
