/*
 * uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to each
 * sender's address. A sender that never bound an address cannot be answered: skip it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    unlink(argv[1]); /* a file left by an earlier run */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    static char buf[65536], reply[6 + 65536];
    for (;;) {
        struct sockaddr_un peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (n < 0) { perror("recvfrom"); continue; }
        if (plen <= sizeof(sa_family_t)) continue; /* unbound sender: nowhere to answer */
        memcpy(reply, "echo: ", 6);
        memcpy(reply + 6, buf, (size_t)n);
        if (sendto(fd, reply, 6 + (size_t)n, 0, (struct sockaddr *)&peer, plen) < 0) perror("sendto");
    }
}
