/*
 * uds-abstract starter: a line server on the abstract Unix socket @NAME ("PING" -> "PONG",
 * anything else -> "ERR unknown command").
 *
 * This one binds a *file* called NAME in the current folder. Make it abstract: sun_path[0] is
 * '\0', the name follows, and the address length counts exactly those bytes.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1); /* TODO: abstract */
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        /* TODO: read lines; answer "PING" with "PONG" and anything else with "ERR unknown command" */
        close(fd);
    }
}
