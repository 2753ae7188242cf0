/*
 * Multicast sender: sends each line of stdin as one datagram to the group 239.255.0.1.
 *
 * Shows: an ordinary UDP socket sends to a group address like to any other; IP_MULTICAST_IF
 * picks the interface the datagrams leave by (here lo, by its address 127.0.0.1) instead of the
 * routing table's choice, IP_MULTICAST_TTL 1 keeps them on the local network, and
 * IP_MULTICAST_LOOP (on by default) delivers a copy to receivers on this machine.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o sender sender.c
 * Run:   printf 'hello\nworld\n' | ./sender 9090
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GROUP "239.255.0.1"

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *end = NULL;
    long port = argc > 1 ? strtol(argv[1], &end, 10) : 9090;
    if (argc > 2 || (argc == 2 && (*end != '\0' || port < 1 || port > 65535))) {
        fprintf(stderr, "usage: sender [port]\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) < 0) die("setsockopt IP_MULTICAST_IF");
    unsigned char ttl = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) die("setsockopt IP_MULTICAST_TTL");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, GROUP, &to.sin_addr) != 1) die("inet_pton");
    printf("sending to %s:%ld (via lo, ttl 1)\n", GROUP, port);

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') len--;
        if (len > 0 && line[len - 1] == '\r') len--;
        /* One datagram per line: sendto() sends all of it or fails (EMSGSIZE if too big). */
        if (sendto(fd, line, (size_t)len, 0, (struct sockaddr *)&to, sizeof to) < 0) die("sendto");
        printf("sent \"%.*s\" (%zd bytes)\n", (int)len, line, len);
    }
    if (ferror(stdin)) die("reading stdin");
    free(line);
    close(fd);
    return 0;
}
