# nginx.sh - sourced by bench/make_capture.sh and bench/soak.sh: a private,
# throw-away nginx serving a small static page inside a network namespace.
# Needs die() and say() from the caller.

# nginx_find: sets nginx to the binary, or dies naming the package.
nginx_find() {
	nginx=/usr/sbin/nginx
	[ -x "$nginx" ] || nginx=$(command -v nginx || true)
	if [ -z "$nginx" ] || [ ! -x "$nginx" ]; then
		die "nginx not found (Debian package nginx-light)"
	fi
}

# nginx_start DIR NS ADDR CONNECTIONS BACKLOG PAGE: writes DIR's
# configuration and PAGE as its index, starts nginx in NS listening on
# ADDR:80, sets nginx_pid, and waits until it listens (or dies).
nginx_start() {
	local dir=$1 ns=$2 addr=$3 conns=$4 backlog=$5 page=$6
	mkdir -p "$dir/www"
	chmod 755 "$dir"
	printf '%s\n' "$page" >"$dir/www/index.html"
	chmod -R a+rX "$dir/www"
	cat >"$dir/nginx.conf" <<EOF
# private, throw-away configuration for bench/
worker_processes 1;
user nobody nogroup;
pid $dir/nginx.pid;
lock_file $dir/nginx.lock;
error_log $dir/error.log warn;
events { worker_connections $conns; }
http {
    access_log off;
    default_type text/html;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen $addr:80 backlog=$backlog;
        root $dir/www;
        index index.html;
    }
}
EOF
	ip netns exec "$ns" "$nginx" -e "$dir/error.log" -c "$dir/nginx.conf" \
		-g 'daemon off;' >"$dir/nginx.out" 2>&1 &
	nginx_pid=$!
	for _ in $(seq 50); do
		ip netns exec "$ns" ss -Hltn "sport = :80" | grep -q . && return 0
		kill -0 "$nginx_pid" 2>/dev/null || {
			cat "$dir/nginx.out" "$dir/error.log" >&2 2>/dev/null
			die "nginx did not start"
		}
		sleep 0.2
	done
	die "nginx is not listening on $addr:80"
}
