/*
 * Multicast receiver: joins the group 239.255.0.1 on the loopback interface and prints every
 * datagram sent to the group.
 *
 * Shows: SO_REUSEADDR, so several receivers on one machine can bind the same group and port
 * (each gets its own copy of every datagram); bind() to the group address, so this socket gets
 * the group's datagrams and no unicast ones; IP_ADD_MEMBERSHIP with ip_mreqn naming the
 * interface by index (lo), since joining "any" interface would pick one from the routing table.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o receiver receiver.c
 * Run:   ./receiver 9090        then, in another terminal: ./sender 9090
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GROUP "239.255.0.1" /* organisation-local scope (RFC 2365): never routed off site */

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *end = NULL;
    long port = argc > 1 ? strtol(argv[1], &end, 10) : 9090;
    if (argc > 2 || (argc == 2 && (*end != '\0' || port < 0 || port > 65535))) {
        fprintf(stderr, "usage: receiver [port]\n");
        return 2;
    }
    /* No SA_RESTART: a blocked recvfrom() must fail with EINTR so the loop sees `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt SO_REUSEADDR");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, GROUP, &addr.sin_addr) != 1) die("inet_pton");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    unsigned lo = if_nametoindex("lo");
    if (lo == 0) die("if_nametoindex lo");
    struct ip_mreqn join = {.imr_multiaddr = addr.sin_addr, .imr_ifindex = (int)lo};
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) < 0) die("setsockopt IP_ADD_MEMBERSHIP");
    socklen_t alen = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
    printf("listening on %s:%u (joined on lo)\n", GROUP, ntohs(addr.sin_port));

    char buf[65536];
    while (!stop) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("recvfrom");
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
        printf("from %s:%u: \"%.*s\" (%zd bytes)\n", ip, ntohs(from.sin_port), (int)n, buf, n);
    }
    close(fd); /* closing the socket leaves the group */
    printf("shutting down\n");
    return 0;
}
