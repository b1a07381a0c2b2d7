#include "finding.h"

#include <string.h>

struct finding_text {
	const char *name;
	enum finding_severity severity;
	const char *title;
	const char *explanation;
	const char *advice;
};

static const struct finding_text catalog[FINDING_COUNT] = {
[FINDING_SYN_FLOOD] = {
	"syn_flood", SEVERITY_CRITICAL,
	"connection attempts toward one listener pile up half-open",
	"Many connection attempts toward one listener never complete: SYN-ACKs "
	"go unacknowledged (typical of spoofed sources) or SYNs go unanswered, "
	"from many sources at once. The listener's SYN queue (bounded by its "
	"listen() backlog and net.core.somaxconn, and by "
	"net.ipv4.tcp_max_syn_backlog, whose default depends on the host's "
	"memory) fills and new clients, legitimate ones included, are dropped, "
	"or answered with SYN cookies once it overflows "
	"(net.ipv4.tcp_syncookies=1, the default). A cookie SYN-ACK "
	"is sent once and never retransmitted, so SYN-ACK retries toward a "
	"source mean its request still fitted in the queue.",
	"Keep net.ipv4.tcp_syncookies=1 on any listener reachable from outside. "
	"Raise the application's listen() backlog together with "
	"net.core.somaxconn (4096 by default): the accept queue is the smaller "
	"of the two, and on current kernels the SYN queue follows the same "
	"backlog, so net.ipv4.tcp_max_syn_backlog alone (sysctl shows this "
	"host's value) changes little. Lower "
	"net.ipv4.tcp_synack_retries from 5 to 2 so half-open entries leave the "
	"queue sooner. A large flood has to be filtered upstream (rate limits, "
	"a SYN proxy, a scrubbing service); the host cannot out-filter it. "
	"Check on the server[[ (ADDRESS)]]: ss -ltn[[ 'sport = :PORT']] (Recv-Q "
	"against Send-Q on the listener), "
	"nstat -az TcpExtSyncookiesSent TcpExtListenOverflows TcpExtListenDrops.",
},
[FINDING_SYN_UNANSWERED] = {
	"syn_unanswered", SEVERITY_WARNING,
	"a client's SYN is retried with back-off and never answered",
	"A client sent a SYN and retried it without any answer. Current Linux "
	"kernels (6.5 and later: net.ipv4.tcp_syn_retries=6, "
	"net.ipv4.tcp_syn_linear_timeouts=4) retry at 1, 2, 3, 4 and 5 s, then "
	"back off at 7, 11, 19, 35 and 68 s after the first SYN; older kernels "
	"back off from the start, at 1, 3, 7, 15, 31 and 63 s. The SYN is "
	"dropped on the way or at the "
	"server: a firewall that drops silently, a host that is down or "
	"unreachable, a wrong address, or a listener whose queues are full.",
	"Find where the SYN is lost: capture on the server[[ (ADDRESS)]] "
	"(tcpdump -ni any 'tcp[tcpflags] & tcp-syn != 0[[ and port PORT]]') to "
	"see "
	"whether it arrives, and check filters on the path (security groups, "
	"iptables -S, nft list ruleset) for DROP rules. If it arrives at a busy "
	"server, check nstat -az TcpExtListenOverflows TcpExtListenDrops and the "
	"accept queue (ss -ltn[[ 'sport = :PORT']]). In clients, set a connect timeout: with the "
	"defaults a connect() takes about 134 s to fail on current kernels "
	"(about 127 s on older ones); lowering net.ipv4.tcp_syn_retries "
	"shortens it for every connection of the host.",
},
[FINDING_CONNECTION_REFUSED] = {
	"connection_refused", SEVERITY_WARNING,
	"SYNs answered by RST: nothing listens on the port",
	"Connection attempts to this host and port are answered with a RST: "
	"nothing listens there (the service is down, restarting, or bound to "
	"another address, port or address family), or a firewall rejects with "
	"a TCP reset.",
	"Check that the service runs and listens where clients connect: on "
	"the server[[ ADDRESS]], ss -ltnp[[ 'sport = :PORT']] shows its "
	"listening sockets (0.0.0.0 or :: against 127.0.0.1 or one address; "
	"IPv4 against IPv6). Look for reject rules "
	"(iptables -S, nft list ruleset: 'reject with tcp reset'). For a service "
	"that restarts, have clients retry with back-off, and hand the listening "
	"socket over (socket activation, SO_REUSEPORT) so the port is never "
	"left unbound.",
},
[FINDING_CLOSE_WAIT_LEAK] = {
	"close_wait_leak", SEVERITY_WARNING,
	"connections left in CLOSE_WAIT: the application does not close()",
	"These endpoints received the peer's FIN and acknowledged it, but their "
	"application never closed the socket, so it stays in CLOSE_WAIT: the "
	"kernel never times CLOSE_WAIT out, only close() ends it. The peer "
	"meanwhile waits in FIN_WAIT2, and drops its side after "
	"net.ipv4.tcp_fin_timeout (60 s) if it has closed its own socket. The "
	"usual cause is code that does not close the socket after reading "
	"end-of-file: an error path that leaks it, a connection pool that never "
	"notices the server closed a pooled connection, or a handler stuck "
	"before it reaches close().",
	"Fix the close path: close the socket when read() returns 0 (EOF) and "
	"on every error path; make pools validate or evict connections the peer "
	"has closed; give handlers read timeouts so a stuck one still closes. "
	"Confirm on the host[[ (ADDRESS)]]: ss -tan state close-wait"
	"[[ '( sport = :PORT )']], counted per local port "
	"with ss -Htan state close-wait | awk '{print $3}' | sort | uniq -c, and "
	"the owning process with ss -tanp state close-wait or "
	"lsof -i -sTCP:CLOSE_WAIT. No sysctl shortens CLOSE_WAIT; restarting the "
	"process only hides the leak until it fills again.",
},
[FINDING_TIME_WAIT_ACCUMULATION] = {
	"time_wait_accumulation", SEVERITY_INFO,
	"many connections in TIME_WAIT on the side that closes first",
	"TIME_WAIT stays on the side that sent the first FIN, for 60 s: fixed in "
	"Linux (TCP_TIMEWAIT_LEN), not a sysctl. On a server it means the server "
	"closes first (HTTP without keep-alive, for example) and costs little. "
	"On a client, TIME_WAIT toward one destination (source address, "
	"destination address and port) holds ephemeral ports: with the default "
	"net.ipv4.ip_local_port_range of 32768-60999 (28,232 ports), more than "
	"about 470 new connections a second to one destination run out of them "
	"and connect() fails with EADDRNOTAVAIL.",
	"Prefer persistent connections (HTTP keep-alive, connection pools) to a "
	"connection per request, and let clients close first so TIME_WAIT lands "
	"on the many clients. For outgoing connections, "
	"net.ipv4.tcp_tw_reuse=1 lets a new connection take a port in TIME_WAIT "
	"safely (it needs TCP timestamps; the default 2 does it for loopback "
	"only). Widen net.ipv4.ip_local_port_range (for example 1024 65535, "
	"minus ports services listen on) or spread connections over more "
	"destination addresses or ports. tcp_tw_recycle does not exist any more: "
	"it was removed in Linux 4.12 because it broke clients behind NAT. "
	"net.ipv4.tcp_fin_timeout does not shorten TIME_WAIT. SO_LINGER with a "
	"zero timeout avoids TIME_WAIT only by resetting the connection: the "
	"peer gets a RST and may lose data. Check: "
	"ss -Htan state time-wait | wc -l, and per destination "
	"ss -Htan state time-wait | awk '{print $4}' | sort | uniq -c | sort -rn.",
},
[FINDING_RST_STORM] = {
	"rst_storm", SEVERITY_WARNING,
	"an unusual number of RSTs from or toward one host or port",
	"Many connections from or toward this subject ended in a RST within a "
	"short time. The causes counted in the evidence tell which kind: "
	"refused connections (nothing listening), aborts by the application, "
	"RSTs for connections the host no longer knows (a restart, or state "
	"lost in a NAT, load balancer or conntrack table), or out-of-window "
	"RSTs (stale or injected).",
	"Follow the dominant cause: refused, see connection_refused; aborts "
	"with unread data or SO_LINGER 0, the application closes abruptly (see "
	"abortive_close); unknown connections, look for a peer restart and for "
	"middlebox idle timeouts shorter than the connections' idle time (and "
	"keepalive under them); out-of-window, look for the sender. Count on "
	"the hosts: nstat -az TcpOutRsts TcpEstabResets TcpExtTCPAbortOnData "
	"TcpExtTCPAbortOnClose. tcpdump -ni any 'tcp[tcpflags] & tcp-rst != 0"
	"[[ and port PORT]]' "
	"shows who sends them.",
},
[FINDING_ABORTIVE_CLOSE] = {
	"abortive_close", SEVERITY_INFO,
	"connections ended by RST instead of FIN, by cause",
	"A connection ended with a RST rather than an orderly close. Causes, as "
	"classified: a refused connection (RST to a SYN); a close with unread "
	"data or with SO_LINGER {1, 0} (Linux resets a connection closed while "
	"received data is still unread, and SO_LINGER 0 resets it too: the "
	"wire cannot tell the two apart); an abort with SO_LINGER {1, 0} and "
	"nothing unread; a write after the peer closed "
	"(data arriving at a closed socket draws a RST, and the writer then sees "
	"EPIPE, 'broken pipe', or ECONNRESET); a segment for a connection the "
	"host does not know (the peer restarted: half-open); or an "
	"out-of-window RST, stale or injected.",
	"Read all data before closing, or shut down the sending side "
	"(shutdown(SHUT_WR)) and drain until EOF before close(). Use SO_LINGER "
	"with a zero timeout only where an abort is intended. Make writers "
	"handle EPIPE and ECONNRESET and stop writing once the peer has closed. "
	"For RSTs to unknown connections, check peer restarts and NAT, load "
	"balancer and conntrack timeouts (conntrack -S, the balancer's idle "
	"timeout) and keep connections alive below them. "
	"tcpdump -ni any 'tcp[tcpflags] & tcp-rst != 0[[ and port PORT]]' shows "
	"who sends them.",
},
[FINDING_RETRANSMIT_BURST] = {
	"retransmit_burst", SEVERITY_WARNING,
	"many retransmissions on a connection or between two hosts",
	"Retransmissions above the threshold in a window, split into "
	"timeout-based ones (the sender's retransmission timer fired without an "
	"ACK), fast ones (after duplicate ACKs or SACK; modern Linux also "
	"retransmits early with RACK and tail loss probes) and spurious ones "
	"(the original had arrived). Patterns: a dead peer, the same data "
	"resent with the timeout doubling and no ACK until "
	"net.ipv4.tcp_retries2 (15, about 15 to 30 minutes) gives up; an MTU "
	"black hole, full-size segments resent while small ones pass because "
	"ICMP 'fragmentation needed' is filtered; or loss and congestion on "
	"the path.",
	"For loss: check interface errors and drops on both ends (ip -s link, "
	"ethtool -S), the path (mtr), and queues or policers; count with "
	"nstat -az TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPLostRetransmit. For "
	"a dead peer: enable TCP keepalive or set TCP_USER_TIMEOUT so the "
	"application learns in seconds rather than after tcp_retries2. For an "
	"MTU black hole: let ICMP 'fragmentation needed' and ICMPv6 'packet too "
	"big' through firewalls, clamp the MSS on tunnels (iptables -t mangle "
	"-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
	"--clamp-mss-to-pmtu), or set net.ipv4.tcp_mtu_probing=1. Spurious "
	"retransmissions point at delay spikes (bufferbloat), not at loss.",
},
[FINDING_ZERO_WINDOW_STALL] = {
	"zero_window_stall", SEVERITY_WARNING,
	"a receiver advertised a zero window: its application stopped reading",
	"The receiver advertised a zero window: its receive buffer is full "
	"because the application is not reading. The sender stops and probes "
	"with exponential back-off (Linux probes with an empty segment one "
	"byte behind, which looks like a keep-alive; Windows with one byte of "
	"data). The value is how long the window stayed closed.",
	"Find why the receiving application does not read: blocked on a lock, "
	"a slow disk or a downstream dependency, or its only thread busy "
	"elsewhere (ss -tmi[[ 'sport = :PORT']] on the receiver[[ (ADDRESS)]] "
	"shows Recv-Q and the buffers; "
	"top -H and stack dumps show what the process does). Larger receive "
	"buffers (net.ipv4.tcp_rmem, SO_RCVBUF) only postpone the stall: fix "
	"the reader, or push back on the sender at the application level.",
},
[FINDING_HALF_OPEN] = {
	"half_open", SEVERITY_WARNING,
	"one side keeps sending into a connection the other has forgotten",
	"One endpoint keeps sending on a connection the other side no longer "
	"has: its segments draw RSTs (the peer restarted or lost the state), or "
	"go unanswered toward a peer that vanished. Common after a reboot, "
	"after a NAT, load balancer or conntrack entry expired while the "
	"connection was idle, or after a failover.",
	"Enable TCP keepalive with an idle time below the shortest idle timeout "
	"on the path (net.ipv4.tcp_keepalive_time, 7200 s by default, or per "
	"socket TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), or heartbeats in the "
	"application, and have clients reconnect on ECONNRESET. Check the "
	"middleboxes' timeouts (conntrack -L, the balancer's idle timeout).",
},
[FINDING_PORT_SCAN] = {
	"port_scan", SEVERITY_WARNING,
	"one source tried many ports or hosts, mostly refused or unanswered",
	"One source sent SYNs to many ports or hosts and most were refused or "
	"never answered: a port scan, or a misconfigured client trying many "
	"targets.",
	"Identify the source and whether it is authorised (an inventory or "
	"vulnerability scanner). If not, block it upstream, look at what "
	"answered (the ports where a handshake completed) and review what the "
	"hosts expose (ss -ltnp). Rate-limit new connections per source at the "
	"edge.",
},
[FINDING_ICMP_ERROR] = {
	"icmp_error", SEVERITY_INFO,
	"ICMP errors about these flows",
	"ICMP errors quoting these flows: destination unreachable (network or "
	"host unreachable: routing; port unreachable: nothing on that UDP port; "
	"administratively prohibited: a firewall rejects), time exceeded (a "
	"routing loop, or a TTL too small for the path), or fragmentation "
	"needed and packet too big (the path MTU is smaller than the packets "
	"sent).",
	"Unreachable: check the route (ip route get ADDRESS), the firewall rule "
	"that rejects (prohibited), or the UDP service (port unreachable). Time "
	"exceeded: traceroute or mtr to find a loop. Fragmentation needed: make "
	"sure these messages reach the senders (never filter ICMP type 3 code 4 "
	"or ICMPv6 type 2), lower the MTU or clamp the MSS on tunnels, or set "
	"net.ipv4.tcp_mtu_probing=1.",
},
[FINDING_FRAGMENTATION] = {
	"fragmentation", SEVERITY_INFO,
	"IP fragments: datagrams larger than the path MTU, or fragment anomalies",
	"IP datagrams were fragmented: UDP payloads larger than the path MTU "
	"(DNS with large EDNS answers, tunnels, NFS), or fragments that could not "
	"be reassembled in time (30 s for IPv4, 60 s for IPv6), overlapped "
	"(possible evasion) or came as tiny first fragments. Losing one fragment "
	"loses the whole datagram, and many middleboxes drop fragments.",
	"Keep UDP payloads below the path MTU (for DNS, an EDNS buffer size of "
	"1232 bytes); raise the MTU of a tunnel's underlay or lower it inside. "
	"For reassembly failures check nstat -az IpReasmFails IpReasmTimeout and "
	"net.ipv4.ipfrag_high_thresh (4 MiB). Treat overlapping fragments as "
	"hostile.",
},
[FINDING_NAGLE_DELAYED_ACK] = {
	"nagle_delayed_ack", SEVERITY_INFO,
	"small segments held back until a delayed ACK (Nagle)",
	"On request/response traffic a small segment waited for the peer's "
	"delayed ACK (about 40 ms on Linux, about 200 ms on Windows and BSD): "
	"Nagle's algorithm holds a small write until the previous one is "
	"acknowledged, and the peer delays that ACK. Typical of write, write, "
	"read patterns, such as a header and a body written separately.",
	"Set TCP_NODELAY on the sending socket (most HTTP and RPC libraries "
	"have an option for it), or send each request in one write (writev, or "
	"buffer before writing). TCP_QUICKACK on the receiver only helps until "
	"its next read.",
},
[FINDING_CHECKSUM_ERRORS] = {
	"checksum_errors", SEVERITY_INFO,
	"segments with bad checksums from other hosts",
	"Segments with bad checksums came from hosts other than the one that "
	"captured. A frame damaged on a link fails its Ethernet FCS and is "
	"dropped by the receiving NIC before any capture sees it, so a bad "
	"IP or TCP checksum in a capture is most often the capture's own: "
	"checksum offload (the sending NIC, or a veth, bridge or tunnel "
	"device, fills the sum in after the capture point), or a trace edited "
	"or anonymised afterwards (zeroed sums; addresses rewritten without "
	"fixing them, which leaves every sum off by one constant). Real damage "
	"is rare: a middlebox that rewrites packets badly, or memory or driver "
	"faults after the NIC checked the frame; then the receiver drops the "
	"segments and the sender retransmits them.",
	"Look for the receiver's side of it: if it acknowledged the data, or "
	"nstat -az TcpInCsumErrors UdpInCsumErrors stays at 0 on it, the "
	"network delivered the packets intact and the capture (offload or an "
	"edited trace) is the cause. Only if the receiver's counters grow, and "
	"the sender retransmits, check the path: ip -s link and ethtool -S on "
	"both ends (receive CRC errors), NAT or load-balancer rewriting, and "
	"a capture at another point. To capture without offload artefacts, "
	"capture on the receiver, or turn offload off while capturing "
	"(ethtool -K IFACE tx off rx off).",
},
[FINDING_SHORT_CONNECTION_CHURN] = {
	"short_connection_churn", SEVERITY_INFO,
	"many short connections where a persistent one would serve",
	"Many short connections between the same client and server, each "
	"paying a handshake (one round trip), slow start and a TIME_WAIT, and "
	"on the client an ephemeral port for 60 s.",
	"Reuse connections: HTTP keep-alive, database and HTTP client pools, "
	"long-lived gRPC channels; on the server, do not close after each "
	"response; size pools for the load. See time_wait_accumulation when "
	"ports run short.",
},
[FINDING_ACCEPT_QUEUE_OVERFLOW] = {
	"accept_queue_overflow", SEVERITY_WARNING,
	"a listener's accept queue is full: the application stopped accepting",
	"The listener is alive (it completed handshakes) but refuses new "
	"connections: the kernel finished handshakes the application never "
	"took with accept(), their requests acknowledged and never answered, "
	"until the accept queue held the listen() backlog plus one. From then "
	"on Linux drops every new SYN (the client retries at 1, 2, 3, 4 and "
	"5 s), and ignores the final ACK of a handshake already under way (the "
	"listener sends its SYN-ACK again after the client's ACK), or answers "
	"it with a RST when net.ipv4.tcp_abort_on_overflow=1. The backlog is "
	"the smaller of the listen() argument and net.core.somaxconn (4096 by "
	"default). A hung or overloaded application (a blocked accept loop, "
	"all workers busy) is the usual cause; a small backlog makes a burst "
	"overflow it too.",
	"Fix the application's accept loop first: find why it stopped taking "
	"connections (stack dumps, a full worker pool, a blocking call in the "
	"loop) and accept in a dedicated thread or event loop. On the server"
	"[[ (ADDRESS)]], ss -ltn[[ 'sport = :PORT']] shows the listener's "
	"Recv-Q (connections queued now) against its Send-Q (the backlog): a Recv-Q of Send-Q + 1 is a full queue. "
	"nstat -az TcpExtListenOverflows TcpExtListenDrops counts the refusals. "
	"Raise the listen() backlog together with net.core.somaxconn only for "
	"bursts: a bigger queue does not help an application that does not "
	"accept. net.ipv4.tcp_abort_on_overflow=1 only changes the symptom: "
	"clients get a RST at once instead of retrying, and a short stall "
	"then fails connections the retry would have saved.",
},
[FINDING_CAPTURE_COVERAGE] = {
	"capture_coverage", SEVERITY_WARNING,
	"part of the capture could not be analysed",
	"A share of the capture's frames hides traffic tcplens could not see: "
	"they carry an encapsulation it does not decode (MPLS, PPPoE session, "
	"GRE, 6in4, the inside of a VXLAN, Geneve or GTP-U tunnel), come from "
	"a pcapng interface of a link type it does not decode, or were never "
	"read because the file breaks off. No finding covers what is inside "
	"them: that the report raises nothing else says nothing about that "
	"traffic.",
	"Look at the frames in the evidence with tshark (tshark -r FILE -V -Y "
	"'frame.number == FRAME') to see what they carry. Capture where the "
	"traffic is not encapsulated: on the host, on the tunnel's own "
	"interface (the VXLAN or GRE device, a pod's veth), or with "
	"tcpdump -i any on Linux, which writes cooked frames tcplens reads. A "
	"file that breaks off was copied while still being written, or cut: "
	"copy it again once tcpdump has stopped.",
},
};

/* Kinds whose cause differs from their id's paragraphs. */
static const struct finding_kind_text {
	enum finding_id id;
	const char *kind;
	const char *explanation;
	const char *advice;
} kind_catalog[] = {
	{FINDING_RETRANSMIT_BURST, "dead_peer",
	 "The sender retransmitted the same data after timeouts, the timeout "
	 "doubling each time (from about RTT + 200 ms on Linux), and the peer "
	 "never answered: it is gone or unreachable, not slow. A crashed or "
	 "powered-off host, a cable or link down, a route or firewall change, or "
	 "a NAT or conntrack entry that expired. Linux keeps trying until "
	 "net.ipv4.tcp_retries2 (15, about 15 to 30 minutes) gives up, silently "
	 "(no RST); meanwhile the application's writes pile up and reads block.",
	 "Find out what happened to the peer: is the host up (ping, the "
	 "orchestrator's events), is there a route (ip route get ADDRESS), did "
	 "a firewall or middlebox drop the connection's state (conntrack -L, "
	 "the balancer's idle timeout). So the application learns in seconds "
	 "rather than after tcp_retries2, set TCP_USER_TIMEOUT on the socket, or "
	 "enable TCP keepalive (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT) for "
	 "idle connections; keepalive alone does not end a connection with data "
	 "outstanding. Count with nstat -az TcpExtTCPTimeouts."},
	{FINDING_RETRANSMIT_BURST, "mtu_black_hole",
	 "Full-size segments were retransmitted after timeouts and never "
	 "acknowledged, while smaller segments of the same connection got "
	 "through: a path MTU black hole. A link on the path has a smaller MTU "
	 "(a tunnel, VPN or overlay), and the ICMP 'fragmentation needed' or "
	 "ICMPv6 'packet too big' that would tell the sender is filtered.",
	 "Let ICMP 'fragmentation needed' (type 3 code 4) and ICMPv6 'packet too "
	 "big' (type 2) through firewalls and security groups, clamp the MSS on "
	 "tunnels (iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
	 "-j TCPMSS --clamp-mss-to-pmtu), or set net.ipv4.tcp_mtu_probing=1 on "
	 "the sender. tracepath ADDRESS shows the path MTU."},
};

static const struct finding_kind_text *kind_text_of(enum finding_id id,
						      const char *kind)
{
	if (kind == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(kind_catalog) / sizeof(kind_catalog[0]);
	     i++)
		if (kind_catalog[i].id == id &&
		    strcmp(kind_catalog[i].kind, kind) == 0)
			return &kind_catalog[i];
	return NULL;
}

static const char *const severity_names[] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_CRITICAL] = "critical",
};

static const struct finding_text *text_of(enum finding_id id)
{
	return (unsigned)id < FINDING_COUNT ? &catalog[id] : NULL;
}

const char *finding_id_name(enum finding_id id)
{
	const struct finding_text *t = text_of(id);

	return t != NULL ? t->name : NULL;
}

bool finding_id_parse(const char *name, enum finding_id *out)
{
	for (int i = 0; i < FINDING_COUNT; i++) {
		if (strcmp(catalog[i].name, name) == 0) {
			*out = (enum finding_id)i;
			return true;
		}
	}
	return false;
}

const char *finding_severity_name(enum finding_severity s)
{
	return (unsigned)s <= SEVERITY_CRITICAL ? severity_names[s] : NULL;
}

bool finding_severity_parse(const char *name, enum finding_severity *out)
{
	for (int i = 0; i <= SEVERITY_CRITICAL; i++) {
		if (strcmp(severity_names[i], name) == 0) {
			*out = (enum finding_severity)i;
			return true;
		}
	}
	return false;
}

enum finding_severity finding_default_severity(enum finding_id id)
{
	const struct finding_text *t = text_of(id);

	return t != NULL ? t->severity : SEVERITY_INFO;
}

const char *finding_title(enum finding_id id)
{
	const struct finding_text *t = text_of(id);

	return t != NULL ? t->title : NULL;
}

const char *finding_explanation(enum finding_id id)
{
	const struct finding_text *t = text_of(id);

	return t != NULL ? t->explanation : NULL;
}

const char *finding_advice(enum finding_id id)
{
	const struct finding_text *t = text_of(id);

	return t != NULL ? t->advice : NULL;
}

const char *finding_kind_explanation(enum finding_id id, const char *kind)
{
	const struct finding_kind_text *k = kind_text_of(id, kind);

	return k != NULL ? k->explanation : finding_explanation(id);
}

const char *finding_kind_advice(enum finding_id id, const char *kind)
{
	const struct finding_kind_text *k = kind_text_of(id, kind);

	return k != NULL ? k->advice : finding_advice(id);
}
