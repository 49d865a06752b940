# The controller image the charts/rudder chart runs (`image.repository`, tag = appVersion):
#   docker build -t ghcr.io/rudder-gitops/rudder:0.1.0 .
# git and openssh-client are needed at run time: sources are fetched with the git command line
# (SSH deploy keys through GIT_SSH_COMMAND, HTTPS tokens through GIT_ASKPASS).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin rudder

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/rudder /usr/local/bin/rudder
# The chart runs as 65532 with a read-only root filesystem; HOME and the git cache are emptyDirs.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/rudder"]
