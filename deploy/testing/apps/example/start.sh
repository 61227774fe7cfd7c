# PID 1 of the example app (run by /bin/busybox sh). busybox httpd would ignore SIGTERM as
# PID 1, so it runs as a child and the TERM/INT trap stops it: `docker stop` takes < 1 s.
read -r version < /www/version
# START_DELAY=N: boot slowly, as a real app does (tests use it to act while health checks wait)
[ "${START_DELAY:-0}" = 0 ] || /bin/busybox sleep "$START_DELAY"
echo "example-app $version listening on :8000"
/bin/busybox httpd -f -v -p 8000 -h /www &   # -v: one line per request on stderr
pid=$!
# a build with /www/fail-after (seconds): whoami answers 500 from then on, as a release that degrades once live
if [ -f /www/fail-after ]; then read -r after < /www/fail-after; ( /bin/busybox sleep "$after"; : > /www/failing ) & fi
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; echo "example-app $version stopped"; exit 0' TERM INT
wait $pid
