# syntax=docker/dockerfile:1
# Judge API image (every role: all, api, worker). Build: docker build -t judge-api .   Run: docker compose up (a cluster
# on PostgreSQL) or docker compose -f docker-compose.single.yml up (one process); both explain the security options
# bubblewrap needs inside a container.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so code changes do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Judge.Api/Judge.Api.csproj src/Judge.Api/
COPY src/Judge.Core/Judge.Core.csproj src/Judge.Core/
COPY src/Judge.Storage/Judge.Storage.csproj src/Judge.Storage/
COPY src/Judge.Worker/Judge.Worker.csproj src/Judge.Worker/
COPY src/Judge.Sandbox/Judge.Sandbox.csproj src/Judge.Sandbox/
COPY src/Judge.Sandbox.Host/Judge.Sandbox.Host.csproj src/Judge.Sandbox.Host/
COPY src/Judge.Sandbox.Contracts/Judge.Sandbox.Contracts.csproj src/Judge.Sandbox.Contracts/
RUN dotnet restore src/Judge.Api/Judge.Api.csproj
COPY src/ src/
COPY sandbox/ sandbox/
RUN dotnet publish src/Judge.Api/Judge.Api.csproj -c Release -o /app --no-restore

# The ASP.NET Core 10 runtime on Debian 12: the OS Judge embeds CPython from is the one it was measured on
# (libpython3.11; the .NET 10 images' own distributions ship other Python versions), so the runtime is copied from
# the official aspnet image onto bookworm-slim together with the packages .NET itself needs.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS aspnet
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libc6 libgcc-s1 libssl3 libstdc++6 tzdata zlib1g \
        libpython3.11 libseccomp2 bubblewrap uidmap util-linux \
 && rm -rf /var/lib/apt/lists/*
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet

# Non-root. The sandbox maps this user's subordinate uid range (newuidmap, from uidmap) into each host's user namespace
# and gives every run a uid of its own from it: the range is written here, not left to useradd's defaults.
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin judge \
 && echo "judge:200000:65536" >> /etc/subuid && echo "judge:200000:65536" >> /etc/subgid \
 && mkdir -p /data && chown judge:judge /data
WORKDIR /app
COPY --from=build /app ./
COPY problems/ /app/problems/

ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    Storage__DataDirectory=/data \
    Problems__Directory=/app/problems
VOLUME /data
EXPOSE 8080
USER judge
ENTRYPOINT ["dotnet", "/app/Judge.Api.dll"]
