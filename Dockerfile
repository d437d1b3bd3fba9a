# Build: docker build -t lectern .
# Run:   docker run -it -v lectern-data:/data lectern lectern chat
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY crates ./crates
COPY assets ./assets
COPY migrations ./migrations
COPY migrations-postgres ./migrations-postgres
COPY content ./content
COPY benches ./benches
RUN cargo build --release --locked && strip target/release/lectern

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/lectern --uid 10001 lectern \
    && mkdir -p /data && chown lectern /data
COPY --from=builder /src/target/release/lectern /usr/local/bin/lectern
COPY content /usr/share/lectern/content
USER lectern
WORKDIR /home/lectern
ENV LECTERN_DATABASE=/data/lectern.db
VOLUME ["/data"]
CMD ["lectern", "serve"]
