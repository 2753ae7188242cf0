/*
 * mux-chat starter: greets each client with "welcome\n" and relays every line to every other
 * client, with poll() and blocking sockets.
 *
 * It works while everyone reads. But send() on a blocking socket waits while that client's
 * buffers are full: one client that stops reading stops the whole server. Make the sockets
 * non-blocking, give each client an output queue that EPOLLOUT/POLLOUT drains, and disconnect a
 * client once more than 1 MiB waits for it.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

struct client {
    int fd;
    char in[65536];
    size_t used;
};

static struct client clients[MAX_CLIENTS];
static int nclients;

static void broadcast(int from, const char *line, size_t len) {
    for (int i = 0; i < nclients; i++)
        if (i != from) send(clients[i].fd, line, len, MSG_NOSIGNAL); /* TODO: blocks on a client that does not read */
}

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
    struct pollfd fds[MAX_CLIENTS + 1];
    for (;;) {
        fds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < nclients; i++) fds[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
        if (poll(fds, (nfds_t)nclients + 1, -1) < 0) continue;
        for (int i = nclients - 1; i >= 0; i--) {
            if (!fds[i + 1].revents) continue;
            struct client *c = &clients[i];
            ssize_t n = recv(c->fd, c->in + c->used, sizeof c->in - c->used, 0);
            if (n <= 0) {
                close(c->fd);
                clients[i] = clients[--nclients];
                continue;
            }
            c->used += (size_t)n;
            char *start = c->in, *nl;
            while ((nl = memchr(start, '\n', c->used - (size_t)(start - c->in))) != NULL) {
                broadcast(i, start, (size_t)(nl - start) + 1);
                start = nl + 1;
            }
            c->used -= (size_t)(start - c->in);
            memmove(c->in, start, c->used);
        }
        if ((fds[0].revents & POLLIN) && nclients < MAX_CLIENTS) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) {
                clients[nclients].fd = fd;
                clients[nclients++].used = 0;
                send(fd, "welcome\n", 8, MSG_NOSIGNAL);
            }
        }
    }
}
