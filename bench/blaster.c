/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blaster: send the UDP payloads of a pcap (the frames scripts/bench_gen.py made) to a SIP
 * server on loopback with sendmmsg(2), a fixed count at a bounded rate. Used by
 * scripts/bench_kamailio.sh so Kamailio gets the same messages sipfastd replays.
 *
 *   blaster -f FILE.pcap -d 127.0.0.1 -p 5060 -n COUNT [-r PPS] [-b BATCH] [-s SRC]...
 *
 * -r 0 sends as fast as one core can; the destination must be in 127.0.0.0/8 (loopback only).
 * Each -s binds one socket to that source address (e.g. 127.0.1.1, 127.0.1.2, ...);
 * messages rotate over them so the receiver sees several sources. -S instead sends each
 * message from its own frame's source address moved into loopback, a.b.c.d -> 127.b.c.d
 * (IP_PKTINFO), so the receiver sees the pcap's sources: one per frame for flood_unknown,
 * 40 for flood_repeat (a rate limiter such as Kamailio's pike meets the same traffic
 * sipfastd's L3 memory meets). Prints one line:
 * "sent N in S s (R msg/s)". Build: cc -O2 -o blaster bench/blaster.c
 */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSGS 65536
#define MAX_SRCS 64
#define MAX_BATCH 256

struct msg {
	const uint8_t *p;
	uint16_t len;
	uint32_t src; /* the frame's IPv4 source, host order */
};

static uint8_t *file_buf;
static struct msg msgs[MAX_MSGS];
static unsigned int n_msgs;

static uint32_t
rd32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* Keep the UDP payload of every Ethernet/IPv4/UDP frame (no fragments). */
static void
take_frame(const uint8_t *f, uint32_t caplen)
{
	unsigned int ihl, ulen;

	if (caplen < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || n_msgs == MAX_MSGS)
		return;
	ihl = (f[14] & 0x0f) * 4u;
	if (f[14 + 9] != 17 || (f[14 + 6] & 0x3f) != 0 || f[14 + 7] != 0 ||
	    caplen < 14 + ihl + 8)
		return;
	ulen = (unsigned int)f[14 + ihl + 4] << 8 | f[14 + ihl + 5];
	if (ulen < 8 || 14 + ihl + ulen > caplen)
		return;
	msgs[n_msgs].p = f + 14 + ihl + 8;
	msgs[n_msgs].len = (uint16_t)(ulen - 8);
	msgs[n_msgs].src = (uint32_t)f[14 + 12] << 24 | (uint32_t)f[14 + 13] << 16 |
			   (uint32_t)f[14 + 14] << 8 | f[14 + 15];
	n_msgs++;
}

static int
load_pcap(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long size;
	size_t off = 24;
	int swap;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 24) {
		fprintf(stderr, "blaster: %s: %s\n", path, fp ? "not a pcap" : strerror(errno));
		return -1;
	}
	rewind(fp);
	file_buf = malloc((size_t)size);
	if (file_buf == NULL || fread(file_buf, 1, (size_t)size, fp) != (size_t)size) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	if (rd32(file_buf, 0) == 0xa1b2c3d4 || rd32(file_buf, 0) == 0xa1b23c4d)
		swap = 0;
	else if (rd32(file_buf, 1) == 0xa1b2c3d4 || rd32(file_buf, 1) == 0xa1b23c4d)
		swap = 1;
	else {
		fprintf(stderr, "blaster: %s: not a classic pcap\n", path);
		return -1;
	}
	while (off + 16 <= (size_t)size) {
		uint32_t caplen = rd32(file_buf + off + 8, swap);

		if (off + 16 + caplen > (size_t)size)
			break;
		take_frame(file_buf + off + 16, caplen);
		off += 16 + caplen;
	}
	return n_msgs > 0 ? 0 : -1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
open_src(const char *src)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sndbuf = 4 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (src != NULL && (inet_pton(AF_INET, src, &a.sin_addr) != 1 ||
			    bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)) {
		fprintf(stderr, "blaster: bind %s: %s\n", src, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
usage(void)
{
	fprintf(stderr, "usage: blaster -f FILE.pcap -d 127.x.y.z -p PORT -n COUNT [-r PPS (0 = "
			"max)] [-b BATCH] [-s SRC]... [-S]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct mmsghdr mh[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	static union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl[MAX_BATCH];
	int per_frame_src = 0;
	const char *file = NULL, *srcs[MAX_SRCS];
	unsigned long long count = 0, sent = 0, rate = 100000;
	unsigned int batch = 32, n_srcs = 0, i, next = 0;
	struct sockaddr_in dst = {.sin_family = AF_INET};
	int fds[MAX_SRCS], c;
	double t0, t1;

	while ((c = getopt(argc, argv, "f:d:p:n:r:b:s:S")) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'd': if (inet_pton(AF_INET, optarg, &dst.sin_addr) != 1) usage(); break;
		case 'p': dst.sin_port = htons((uint16_t)atoi(optarg)); break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'r': rate = strtoull(optarg, NULL, 10); break;
		case 'b': batch = (unsigned int)atoi(optarg); break;
		case 's': if (n_srcs == MAX_SRCS) usage(); srcs[n_srcs++] = optarg; break;
		case 'S': per_frame_src = 1; break;
		default: usage();
		}
	}
	/* Loopback only: this tool must never aim a flood at a real host. */
	if (file == NULL || count == 0 || dst.sin_port == 0 || batch == 0 || batch > MAX_BATCH ||
	    (ntohl(dst.sin_addr.s_addr) >> 24) != 127)
		usage();
	if (load_pcap(file) != 0)
		return 1;
	if (n_srcs == 0 || per_frame_src) {
		n_srcs = 0;
		srcs[n_srcs++] = NULL;
	}
	for (i = 0; i < n_srcs; i++)
		if ((fds[i] = open_src(srcs[i])) < 0)
			return 1;
	t0 = now_s();
	while (sent < count) {
		unsigned int n = (unsigned int)(count - sent < batch ? count - sent : batch);
		int fd = fds[(sent / batch) % n_srcs], r;

		for (i = 0; i < n; i++) {
			iov[i].iov_base = (void *)msgs[next].p;
			iov[i].iov_len = msgs[next].len;
			mh[i].msg_hdr = (struct msghdr){.msg_name = &dst, .msg_namelen = sizeof(dst),
							.msg_iov = &iov[i], .msg_iovlen = 1};
			if (per_frame_src) {
				struct cmsghdr *cm = (struct cmsghdr *)(void *)ctl[i].buf;
				struct in_pktinfo pi = {0};

				pi.ipi_spec_dst.s_addr = htonl(127u << 24 | (msgs[next].src & 0xffffff));
				cm->cmsg_level = IPPROTO_IP;
				cm->cmsg_type = IP_PKTINFO;
				cm->cmsg_len = CMSG_LEN(sizeof(pi));
				memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
				mh[i].msg_hdr.msg_control = ctl[i].buf;
				mh[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
			}
			next = next + 1 == n_msgs ? 0 : next + 1;
		}
		r = sendmmsg(fd, mh, n, 0);
		if (r < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) {
			perror("blaster: sendmmsg");
			return 1;
		}
		sent += r > 0 ? (unsigned int)r : n; /* refused: offered anyway, the receiver's loss */
		if (rate != 0) {
			double due = t0 + (double)sent / (double)rate;

			while (now_s() < due)
				usleep(50);
		}
	}
	t1 = now_s();
	printf("sent %llu in %.3f s (%.0f msg/s)\n", sent, t1 - t0, (double)sent / (t1 - t0));
	return 0;
}
