# flaredeploy worker image: the CLI jar, a JRE 17, Node.js 20 and the wrangler pinned in package-lock.json.
#
#   docker build -t flaredeploy .
#   docker run --init -e TEMPORAL_ADDRESS=host:7233 -v flaredeploy-home:/var/lib/flaredeploy flaredeploy
#
# --init (compose: `init: true`) lets an init process reap the wrangler processes the local target
# detaches. Tags are pinned; bump them deliberately.

# --- build: the shaded CLI jar -------------------------------------------------------------------
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# one COPY per module (ComposeFileTest checks that every module of pom.xml is here)
COPY pom.xml ./
COPY testkit testkit
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY cli cli
# the class-data sharing archive only speeds up the launcher's short commands: not in the image
RUN mvn -B -DskipTests -Dflaredeploy.cds.skip=true package

# --- the JRE, taken from the Temurin image --------------------------------------------------------
FROM eclipse-temurin:17.0.15_6-jre-jammy AS jre

# --- runtime: Node.js 20 (wrangler 4 needs >= 20.3) with the JRE beside it ------------------------
FROM node:20.20.2-bookworm-slim

ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

# git: pins sources at a commit; setsid (util-linux): detaches the local target's wrangler dev
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
# safe.directory: projects are mounted from the host and owned by another uid than this image's user

WORKDIR /opt/flaredeploy
# wrangler exactly as pinned (a devDependency, hence --include=dev)
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund \
 && npm cache clean --force \
 && ./node_modules/.bin/wrangler --version

COPY --from=build /src/cli/target/flaredeploy.jar /opt/flaredeploy/flaredeploy.jar

RUN groupadd --system --gid 10001 flaredeploy \
 && useradd --system --uid 10001 --gid flaredeploy --create-home --home-dir /home/flaredeploy flaredeploy \
 && mkdir -p /var/lib/flaredeploy \
 && chown flaredeploy:flaredeploy /var/lib/flaredeploy

ENV FLAREDEPLOY_ROOT=/opt/flaredeploy \
    FLAREDEPLOY_HOME=/var/lib/flaredeploy

USER flaredeploy
WORKDIR /home/flaredeploy

ENTRYPOINT ["java", "-jar", "/opt/flaredeploy/flaredeploy.jar"]
CMD ["worker"]
