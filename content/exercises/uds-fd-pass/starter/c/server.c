/*
 * uds-fd-pass starter: should hand every client an open descriptor of FILE, which the client
 * cannot open itself. Today it sends the file's path, which does the client no good. TODO:
 *  1. for each client, open FILE read-only;
 *  2. send the one byte "F" with sendmsg(), the descriptor in an SCM_RIGHTS control message
 *     (msg_controllen = CMSG_SPACE(sizeof(int)), cmsg_len = CMSG_LEN(sizeof(int)));
 *  3. close your copy of the descriptor (after sendmsg), then the connection.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: server SOCKET FILE\n");
        return 2;
    }
    const char *file = argv[2];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long\n");
        return 1;
    }
    strcpy(addr.sun_path, argv[1]);
    unlink(addr.sun_path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (chmod(addr.sun_path, 0660) < 0) { perror("chmod"); return 1; } /* the group may connect */
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on %s\n", addr.sun_path);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) { perror("accept"); continue; }
        send(fd, file, strlen(file), MSG_NOSIGNAL);
        close(fd);
    }
}
