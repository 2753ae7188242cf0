/*
 * uds-dgram-client starter: send each line of standard input as a datagram to the server at
 * SOCKET, print each answer on a line, and at the end of input remove your socket file and exit 0.
 * This one never binds an address of its own, so the server cannot answer it (and it waits
 * forever). TODO: bind to <dir>/client.sock in a fresh directory from mkdtemp() first (chmod it
 * 0710), wait at most 2 s for each answer, and remove the file and directory at the end.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
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
    struct sockaddr_un server = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof server.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(server.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    char line[4096], reply[4096];
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\n");
        if (sendto(fd, line, len, 0, (struct sockaddr *)&server, sizeof server) < 0) { perror("sendto"); return 1; }
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0) { perror("recv"); return 1; }
        printf("%.*s\n", (int)n, reply);
    }
    close(fd);
    return 0;
}
