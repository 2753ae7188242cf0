/*
 * tcp-echo starter: a TCP echo server on 127.0.0.1:PORT.
 *
 * It already listens and echoes, but only one client at a time, and it trusts one write() to
 * write everything. Make it serve many clients at once (a thread per client: pthread_create) and
 * write every byte. Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
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
    if (listen(lfd, 64) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        char buf[1024];
        ssize_t n;
        /* TODO: this serves one client until it leaves; the others wait. */
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            if (write(fd, buf, (size_t)n) < 0) break; /* TODO: write() may write fewer bytes */
        }
        close(fd);
    }
}
