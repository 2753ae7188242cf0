/*
 * mux-echo starter: the line echo server ("echo: <line>\n" for every line) on 127.0.0.1:PORT.
 *
 * It serves one client at a time with blocking calls: while it waits in recv() or send() for one
 * client, the 999 others wait too. Make it an event loop: non-blocking sockets, epoll (or poll),
 * a per-client input buffer for unfinished lines and an output queue for what send() could not
 * send yet, bounded so that a client that never reads cannot grow it forever.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        int fd = accept(lfd, NULL, NULL); /* TODO: one client at a time */
        if (fd < 0) continue;
        char buf[65536 + 1];
        size_t used = 0;
        ssize_t n;
        while ((n = recv(fd, buf + used, sizeof buf - used, 0)) > 0) {
            used += (size_t)n;
            char *start = buf, *nl;
            while ((nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
                char reply[sizeof buf + 6];
                int len = snprintf(reply, sizeof reply, "echo: %.*s\n", (int)(nl - start), start);
                send(fd, reply, (size_t)len, MSG_NOSIGNAL); /* TODO: blocks while the client does not read */
                start = nl + 1;
            }
            used -= (size_t)(start - buf);
            memmove(buf, start, used);
            if (used == sizeof buf) break;
        }
        if (used > 0) {
            char reply[sizeof buf + 6];
            int len = snprintf(reply, sizeof reply, "echo: %.*s\n", (int)used, buf);
            send(fd, reply, (size_t)len, MSG_NOSIGNAL);
        }
        close(fd);
    }
}
