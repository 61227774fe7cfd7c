#!/usr/bin/env python3
"""podlift zoo webapp: an aiohttp + asyncpg app for podlift's end-to-end tests.

    python3 /app/app.py serve      (the image's CMD) HTTP on 0.0.0.0:$PORT (8000)
    python3 /app/app.py migrate    create the tables (idempotent), record this version, exit

Files next to this one (/app), written by the tests into the build context:
    VERSION           the version text (/version, /ws, /sse, the rows it writes)
    REQUIRES_COLUMN   this version's schema has writes.note: `migrate` adds the column and
                      /write fills it, so /write answers 500 until this version's migration ran
    MIGRATION_FAILS   `migrate` prints an error line and exits 1, changing nothing
Env: DATABASE_URL=postgres://user:pass@postgres:5432/db (unset: no database; /health is 200 at once,
     /write and /count answer 500), PORT=8000, SHUTDOWN_TIMEOUT=10 (s), DB_WAIT=30 (s, how long
     `migrate` retries connecting).

Endpoints: GET /health /version /ws /sse?count=5&interval=0.2 /slow?seconds=N /count /unavailable,
POST /upload /write. One access-log line per request on stdout.

SIGTERM/SIGINT: stop listening, close WebSockets (1001 going away), let in-flight requests (an
upload, /slow, an SSE stream) finish for up to SHUTDOWN_TIMEOUT seconds, then exit 0. (aiohttp 3.8's
own run_app shutdown would cancel in-flight requests at once, hence the hand-made loop below.)
"""
import asyncio
import hashlib
import logging
import os
import signal
import sys
import time
import types

import asyncpg
from aiohttp import WSCloseCode, WSMsgType, web

APP_DIR = os.path.dirname(os.path.abspath(__file__))


def _read_version():
    try:
        with open(os.path.join(APP_DIR, "VERSION"), encoding="utf-8") as f:
            return f.read().strip() or "unknown"
    except FileNotFoundError:
        return "unknown"


VERSION = _read_version()
REQUIRES_COLUMN = os.path.exists(os.path.join(APP_DIR, "REQUIRES_COLUMN"))
MIGRATION_FAILS = os.path.join(APP_DIR, "MIGRATION_FAILS")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
PORT = int(os.environ.get("PORT", "8000"))
SHUTDOWN_TIMEOUT = float(os.environ.get("SHUTDOWN_TIMEOUT", "10"))
DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)

log = logging.getLogger("webapp")


# ------------------------------------------------------------------------------- handlers
async def health(request):
    st = request.app["state"]
    if st.stopping:
        return web.Response(status=503, text="stopping\n")
    if DATABASE_URL and st.pool is None:
        return web.Response(status=503, text="database not connected\n")
    return web.Response(text="ok\n")


async def version(request):
    return web.Response(text=VERSION + "\n")


async def index(request):
    return web.Response(text=f"podlift zoo webapp {VERSION}: /health /version /ws /sse /slow "
                             "/upload /write /count /unavailable\n")


async def upload(request):
    # Streamed: never more than a few chunks in memory. aiohttp's client_max_size (1 MiB) only
    # limits request.read()/post()/json(); reading request.content chunk by chunk is not capped.
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.content.iter_chunked(1 << 16):
        digest.update(chunk)
        size += len(chunk)
    return web.json_response({"bytes": size, "sha256": digest.hexdigest()})


async def websocket(request):
    ws = web.WebSocketResponse(timeout=2)
    await ws.prepare(request)
    request.app["state"].websockets.add(ws)
    try:
        await ws.send_str(f"hello {VERSION}")
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(f"{VERSION}: {msg.data}")
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        if request.app["state"].stopping and not ws.closed:
            # serve() broke the receive loop; close here, or aiohttp closes with 1000 at once
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
    finally:
        request.app["state"].websockets.discard(ws)
    return ws


async def sse(request):
    try:
        count = int(request.query.get("count", "5"))
        interval = float(request.query.get("interval", "0.2"))
    except ValueError:
        return web.Response(status=400, text="count: integer, interval: seconds\n")
    resp = web.StreamResponse(headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    resp.content_type = "text/event-stream"
    await resp.prepare(request)
    for i in range(1, count + 1):
        await resp.write(f"data: {VERSION} {i}\n\n".encode())
        if i < count:
            await asyncio.sleep(interval)
    await resp.write_eof()
    return resp


async def slow(request):
    raw = request.query.get("seconds", "1")
    try:
        seconds = float(raw)
        if seconds < 0:
            raise ValueError
    except ValueError:
        return web.Response(status=400, text="seconds: a number >= 0\n")
    await asyncio.sleep(seconds)
    return web.Response(text=f"slept {raw}\n")


async def write(request):
    body = await request.text()
    pool = request.app["state"].pool
    if pool is None:
        return web.Response(status=500, text="database not connected\n")
    try:
        if REQUIRES_COLUMN:
            new_id = await pool.fetchval(
                "INSERT INTO writes (body, version, note) VALUES ($1, $2, $3) RETURNING id",
                body, VERSION, f"written by {VERSION}")
        else:
            new_id = await pool.fetchval(
                "INSERT INTO writes (body, version) VALUES ($1, $2) RETURNING id", body, VERSION)
    except DB_ERRORS as e:
        log.warning("POST /write: %s: %s", type(e).__name__, e)
        return web.Response(status=500, text=f"database error: {type(e).__name__}: {e}\n")
    return web.Response(status=201, text=f"{new_id}\n")


async def count(request):
    pool = request.app["state"].pool
    if pool is None:
        return web.Response(status=500, text="database not connected\n")
    try:
        n = await pool.fetchval("SELECT count(*) FROM writes")
    except DB_ERRORS as e:
        log.warning("GET /count: %s: %s", type(e).__name__, e)
        return web.Response(status=500, text=f"database error: {type(e).__name__}: {e}\n")
    return web.Response(text=f"{n}\n")


async def unavailable(request):
    return web.Response(status=503, text="busy\n")


async def headers(request):
    """What a proxy in front told the app about the client: one `name: value` line per forwarded header."""
    names = ["X-Forwarded-For", "X-Real-IP", "X-Forwarded-Proto", "Host"]
    return web.Response(text="".join(f"{n}: {request.headers.get(n, '')}\n" for n in names))


@web.middleware
async def track_inflight(request, handler):
    st = request.app["state"]
    st.inflight += 1
    try:
        resp = await handler(request)
        if st.stopping and not resp.prepared:
            resp.force_close()          # no keep-alive while draining
        return resp
    finally:
        st.inflight -= 1


# ------------------------------------------------------------------------------- serve
async def connect_pool(app):
    """Background task: retry until the pool is up; /health is 503 until then."""
    last = None
    while True:
        try:
            app["state"].pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=10, timeout=5)
            log.info("webapp %s: database pool ready", VERSION)
            return
        except DB_ERRORS as e:
            msg = f"{type(e).__name__}: {e}"
            if msg != last:
                log.warning("webapp %s: database not ready (%s), retrying", VERSION, msg)
                last = msg
            await asyncio.sleep(0.5)


def make_app():
    app = web.Application(middlewares=[track_inflight])
    # mutable state in one object: aiohttp frowns on changing app[...] once it runs
    app["state"] = types.SimpleNamespace(pool=None, websockets=set(), inflight=0, stopping=False)
    app.add_routes([
        web.get("/", index),
        web.get("/health", health),
        web.get("/version", version),
        web.post("/upload", upload),
        web.get("/ws", websocket),
        web.get("/sse", sse),
        web.get("/slow", slow),
        web.post("/write", write),
        web.get("/count", count),
        web.get("/unavailable", unavailable),
        web.get("/headers", headers),
    ])
    return app


async def serve():
    loop = asyncio.get_running_loop()
    app = make_app()
    st = app["state"]
    runner = web.AppRunner(app, handle_signals=False, access_log=logging.getLogger("aiohttp.access"),
                           access_log_format='%a "%r" %s %b %Tfs')
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", PORT, shutdown_timeout=0.2)  # after our own drain
    await site.start()
    db_task = loop.create_task(connect_pool(app)) if DATABASE_URL else None
    log.info("webapp %s listening on :%d (database: %s)", VERSION, PORT,
             "yes" if DATABASE_URL else "none, DATABASE_URL is not set")

    stop = asyncio.Event()
    received = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda s=sig: (received.append(s), stop.set()))
    await stop.wait()

    started = time.monotonic()
    st.stopping = True
    server = getattr(site, "_server", None)     # the listening socket (aiohttp 3.8: no public API)
    if server is not None:
        server.close()
    websockets = list(st.websockets)
    log.info("webapp %s: %s, not accepting connections; closing %d WebSocket(s), waiting for "
             "%d request(s) (up to %g s)", VERSION, signal.Signals(received[0]).name,
             len(websockets), st.inflight - len(websockets), SHUTDOWN_TIMEOUT)
    await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
                           for ws in websockets), return_exceptions=True)
    while st.inflight > 0 and time.monotonic() - started < SHUTDOWN_TIMEOUT:
        await asyncio.sleep(0.05)
    if st.inflight > 0:
        log.warning("webapp %s: %d request(s) still running after %g s, cancelling them",
                    VERSION, st.inflight, SHUTDOWN_TIMEOUT)
    if db_task is not None:
        db_task.cancel()
    await runner.cleanup()
    if st.pool is not None:
        try:
            await asyncio.wait_for(st.pool.close(), 2)
        except asyncio.TimeoutError:
            st.pool.terminate()
    log.info("webapp %s stopped after %.2f s", VERSION, time.monotonic() - started)


# ------------------------------------------------------------------------------- migrate
async def connect_with_retry(wait):
    deadline = time.monotonic() + wait
    while True:
        try:
            return await asyncpg.connect(DATABASE_URL, timeout=5)
        except (OSError, asyncio.TimeoutError, asyncpg.CannotConnectNowError) as e:
            if time.monotonic() >= deadline:
                raise
            print(f"migrate {VERSION}: database not ready ({type(e).__name__}: {e}), retrying",
                  file=sys.stderr, flush=True)
            await asyncio.sleep(0.5)


async def migrate():
    if os.path.exists(MIGRATION_FAILS):
        print(f"migrate {VERSION}: error: {MIGRATION_FAILS} exists: this version's migration "
              "fails on purpose; nothing changed", file=sys.stderr, flush=True)
        return 1
    if not DATABASE_URL:
        print(f"migrate {VERSION}: error: DATABASE_URL is not set", file=sys.stderr, flush=True)
        return 1
    try:
        conn = await connect_with_retry(float(os.environ.get("DB_WAIT", "30")))
    except (*DB_ERRORS, ValueError) as e:
        print(f"migrate {VERSION}: error: cannot connect: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1
    done = []
    try:
        async with conn.transaction():
            # two migrations at once (two servers, one database) wait for each other
            await conn.execute("SELECT pg_advisory_xact_lock(7305001)")
            for table, ddl in (
                    ("writes", "CREATE TABLE IF NOT EXISTS writes (id bigserial PRIMARY KEY, "
                               "body text NOT NULL, version text NOT NULL, "
                               "at timestamptz NOT NULL DEFAULT now())"),
                    ("migrations", "CREATE TABLE IF NOT EXISTS migrations (version text NOT NULL, "
                                   "at timestamptz NOT NULL DEFAULT now())")):
                existed = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table)
                await conn.execute(ddl)
                done.append(f"table {table} " + ("exists" if existed else "created"))
            if REQUIRES_COLUMN:
                existed = await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = 'writes' AND column_name = 'note')")
                await conn.execute("ALTER TABLE writes ADD COLUMN IF NOT EXISTS note text")
                done.append("column writes.note " + ("exists" if existed else "added"))
            await conn.execute("INSERT INTO migrations (version) VALUES ($1)", VERSION)
            n = await conn.fetchval("SELECT count(*) FROM migrations")
            done.append(f"recorded in migrations ({n} row{'s' if n != 1 else ''})")
    except DB_ERRORS as e:
        print(f"migrate {VERSION}: error: {type(e).__name__}: {e} (rolled back)", file=sys.stderr, flush=True)
        return 1
    finally:
        await conn.close()
    for line in done:
        print(f"migrate {VERSION}: {line}", flush=True)
    return 0


def main(argv):
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    mode = argv[1] if len(argv) > 1 else "serve"
    if mode == "serve":
        asyncio.run(serve())
        return 0
    if mode == "migrate":
        return asyncio.run(migrate())
    print(f"usage: {argv[0]} [serve|migrate]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
