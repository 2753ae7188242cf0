/*
 * power-seqpacket starter: a message echo server on the abstract SOCK_SEQPACKET socket @NAME.
 *
 * It listens, but closes every connection at once. Answer each message with one message,
 * "echo: " + the message (up to 65536 bytes); a longer message gets
 * "error: message longer than 65536 bytes" and the connection is closed. Serve clients
 * concurrently, and stop cleanly on SIGINT/SIGTERM (see the statement).
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: server NAME\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[1]);
    if (len > sizeof addr.sun_path - 1) {
        fprintf(stderr, "name too long\n");
        return 1;
    }
    memcpy(addr.sun_path + 1, argv[1], len); /* sun_path[0] = '\0': an abstract name */
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
    int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, addr_len) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on @%s\n", argv[1]);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        /* TODO: receive each message (recvmsg: check MSG_TRUNC) and send one reply message */
        close(fd);
    }
}
