/*
 * tcp-sendall starter: sends every client the 8 MiB stream (line k is k zero-padded to 7 digits
 * and "\n", k = 0 .. 1048575), then closes.
 *
 * The sockets are non-blocking, so that one thread can serve every client, but the loop below
 * trusts every send() to take the whole chunk and gives up at the first EAGAIN. Keep the
 * non-blocking sockets: remember how far each client has got, wait for POLLOUT with poll(), and
 * serve the clients side by side. Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINES 1048576
#define LINE 8
#define TOTAL ((size_t)LINES * LINE)
#define CHUNK 65536

static char stream[TOTAL + 1]; /* + 1: snprintf's NUL after the last line */

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    for (long k = 0; k < LINES; k++) snprintf(stream + k * LINE, LINE + 1, "%07ld\n", k);
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
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) continue;
        for (size_t off = 0; off < TOTAL; off += CHUNK) {
            /* TODO: send() may take fewer bytes than CHUNK, and EAGAIN only means "full, try later". */
            if (send(fd, stream + off, CHUNK, MSG_NOSIGNAL) < 0) {
                fprintf(stderr, "send failed: %s\n", strerror(errno));
                break;
            }
        }
        close(fd);
    }
}
