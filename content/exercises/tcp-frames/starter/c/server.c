/*
 * tcp-frames starter: length-prefixed frames over TCP. Each frame is a 4-byte big-endian length
 * N (at most 65536) and N bytes; answer each with a frame of the same bytes reversed, and close
 * the connection when a length is over 65536.
 *
 * This version assumes one read() is one whole frame. It is not: fix it with a loop that reads
 * exactly the bytes you need. Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    static unsigned char buf[4 + 65536], out[4 + 65536];
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        ssize_t n;
        /* TODO: one read() is not one frame. */
        while ((n = read(fd, buf, sizeof buf)) >= 4) {
            uint32_t len = (uint32_t)n - 4;
            memcpy(out, buf, 4);
            for (uint32_t i = 0; i < len; i++) out[4 + i] = buf[4 + len - 1 - i];
            if (write(fd, out, (size_t)n) < 0) break;
        }
        close(fd);
    }
}
