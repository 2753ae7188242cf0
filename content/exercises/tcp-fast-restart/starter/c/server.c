/*
 * tcp-fast-restart starter: a TCP echo server on 127.0.0.1:PORT, a thread per client.
 *
 * It works until it crashes: started again at once, bind() fails with "Address already in use"
 * for a minute. Find out why (ss -tan state time-wait) and fix it, without letting a second copy
 * start beside a running one. Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[16384];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (ssize_t off = 0, w; off < n; off += w) {
            w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (w < 0) break;
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    /* TODO: something is missing between socket() and bind() */
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, SOMAXCONN) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        pthread_t tid;
        if (pthread_create(&tid, NULL, serve, (void *)(intptr_t)fd) != 0) close(fd);
        else pthread_detach(tid);
    }
}
