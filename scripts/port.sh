# scripts/port.sh - free loopback TCP ports (sourced by scripts/relay.sh,
# tests/e2e/lib.sh and bench/relay.sh)

# port_free PORT - 0 when nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_draw [FILE] - print a free loopback port (20000-59999) that FILE
#	does not list, and add it to FILE; 1 after 200 tries
#	Callers run it as PORT=$(port_draw FILE), a subshell, so FILE is
#	what carries the ports handed out from one call to the next (the
#	ports are only taken once a server binds them). Drawn with SRANDOM
#	(getrandom()): RANDOM is reseeded per subshell from time and pid,
#	and two subshells in a row drew the same port (a test's two smtpd
#	services on one port).
port_draw() {
	local p n=0 taken=${1:-}
	while ((n++ < 200)); do
		p=$((20000 + SRANDOM % 40000))
		[ -n "$taken" ] && grep -qx "$p" "$taken" 2>/dev/null && continue
		port_free "$p" || continue
		[ -z "$taken" ] || echo "$p" >>"$taken"
		echo "$p"
		return 0
	done
	return 1
}
