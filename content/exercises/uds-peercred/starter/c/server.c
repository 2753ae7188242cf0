/*
 * uds-peercred starter: a Unix stream echo server on SOCKET that should serve one user only.
 * Today it welcomes everybody. TODO:
 *  1. right after accept(), ask the kernel who connected: getsockopt(fd, SOL_SOCKET, SO_PEERCRED)
 *     on the accepted socket fills a struct ucred (pid, uid, gid; needs #define _GNU_SOURCE);
 *  2. the server's own uid (getuid()) gets "welcome uid <uid>\n" and the echo below;
 *     any other uid gets "refused uid <uid>\n" and the connection closes at once;
 *  3. serve each client on its own thread, so a connected client does not hold up the next.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: server SOCKET\n");
        return 2;
    }
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
        const char welcome[] = "welcome\n";
        send(fd, welcome, sizeof welcome - 1, MSG_NOSIGNAL);
        char buf[4096];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) send(fd, buf, (size_t)n, MSG_NOSIGNAL);
        close(fd);
    }
}
