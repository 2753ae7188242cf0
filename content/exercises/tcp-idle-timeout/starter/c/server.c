/*
 * tcp-idle-timeout starter: a TCP echo server on 127.0.0.1:PORT.
 *
 * It echoes, but one client at a time, and a client that says nothing keeps it waiting forever.
 * Serve every client on its own and close one that has sent nothing for 2 s.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, SOMAXCONN) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        char buf[16384];
        ssize_t n;
        /* TODO: a silent client blocks this recv() forever, and every other client with it. */
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
            for (ssize_t off = 0, w; off < n; off += w) {
                w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
                if (w < 0) break;
            }
        }
        close(fd);
    }
}
